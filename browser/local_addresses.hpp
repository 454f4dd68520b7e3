#pragma once

#include "browser/ip_address.hpp"

namespace agenttheo {

/// `address` reaches this machine: loopback, unspecified, or an address of
/// one of its interfaces (what a server bound to 0.0.0.0 answers on).
bool is_this_machine(const ip_address& address);

} // namespace agenttheo
