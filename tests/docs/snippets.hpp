// The registry of runnable documentation snippets: each generated translation unit
// (extract_snippets.cpp writes them) adds its snippets at static initialisation, and
// run_snippets.cpp runs them in order.
#pragma once

#include <functional>
#include <string>

namespace nabla::doc_snippets {

// `where` is "README.md:104", the line of the snippet's fence; `run` returns 0 on success, as
// a program's main does. Returns true, so a namespace-scope constant can hold the call.
bool add(const std::string& where, std::function<int()> run);

}  // namespace nabla::doc_snippets
