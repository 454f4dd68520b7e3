#pragma once

#include <string>
#include <vector>

namespace agenttheo {

/// `strings` as exec takes an argv or an envp: a pointer to each, then a
/// null. Built before the fork (the child may only make system calls);
/// valid while `strings` lives unchanged.
inline std::vector<char*> exec_pointers(std::vector<std::string>& strings) {
  std::vector<char*> pointers;
  pointers.reserve(strings.size() + 1);
  for (auto& s : strings)
    pointers.push_back(s.data());
  pointers.push_back(nullptr);
  return pointers;
}

} // namespace agenttheo
