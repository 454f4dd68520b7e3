#pragma once

#include <random>

namespace agenttheo {

/// This thread's random source, seeded once from std::random_device on
/// first use. Seeding costs ~20 µs here (random_device, then the engine's
/// first twist): too much to pay per actor, as a generator in each LLM
/// call's state did. Not for secrets.
std::mt19937_64& thread_random();

} // namespace agenttheo
