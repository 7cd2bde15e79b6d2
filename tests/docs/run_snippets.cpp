// Runs every documentation snippet that needs nothing from outside it, so a snippet that
// compiles but throws (a wrong shape, an option out of range) fails the docs test too.
#include <exception>
#include <iostream>
#include <utility>
#include <vector>

#include "snippets.hpp"

namespace nabla::doc_snippets {

namespace {
std::vector<std::pair<std::string, std::function<int()>>>& registry() {
  static std::vector<std::pair<std::string, std::function<int()>>> snippets;
  return snippets;
}
}  // namespace

bool add(const std::string& where, std::function<int()> run) {
  registry().emplace_back(where, std::move(run));
  return true;
}

}  // namespace nabla::doc_snippets

int main() {
  int failed = 0;
  for (const auto& [where, run] : nabla::doc_snippets::registry()) {
    std::cout << "--- " << where << "\n";
    try {
      const int code = run();
      if (code != 0) std::cout << "FAILED " << where << ": returned " << code << "\n", ++failed;
    } catch (const std::exception& error) {
      std::cout << "FAILED " << where << ": " << error.what() << "\n", ++failed;
    }
  }
  std::cout << nabla::doc_snippets::registry().size() << " snippets run, " << failed
            << " failed\n";
  return failed == 0 ? 0 : 1;
}
