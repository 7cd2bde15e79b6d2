// extract_snippets DOC.md NAME OUT.cpp: writes every ```cpp block of a Markdown document into
// one C++ file, so the build compiles the documentation's code against the real headers and a
// renamed type or function breaks the build instead of misleading a reader.
//
// How a block becomes code (the docs are written to read naturally, not for this tool):
//  - A block with `int main(` is a program: its #include lines move to the top of the file, its
//    main is renamed and run by the docs test (0 returned, or no return, is success).
//  - Any other block is a list of statements: it becomes the body of a function, with
//    nabla/nabla.hpp, <iostream> and `using namespace nabla;` in effect, as the docs assume.
//    The function is run by the docs test, unless the block uses names it does not define:
//    those are declared in an HTML comment (invisible on the rendered page) on the line
//    before the fence, and become the function's parameters; such a block is only compiled:
//      <!-- compiled with: optim::Optimizer& opt, const Tensor& x -->
//  - Code that is not meant to compile (output, pseudo-code) is fenced as something other
//    than cpp.
// `#line` directives make a compile error name the document's own line.
#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

namespace {

struct Snippet {
  int fence_line = 0;       // 1-based line of the opening ```cpp
  std::string parameters;   // from <!-- compiled with: ... -->, or ""
  std::vector<std::string> lines;
};

constexpr const char* kHint = "<!-- compiled with:";

std::string trim_left(const std::string& line) {
  const size_t start = line.find_first_not_of(" \t");
  return start == std::string::npos ? "" : line.substr(start);
}

bool starts_with(const std::string& text, const std::string& prefix) {
  return text.compare(0, prefix.size(), prefix) == 0;
}

// The parameter list of a hint line, or "" when the line is not one.
std::string hint_parameters(const std::string& line) {
  const std::string text = trim_left(line);
  const size_t end = text.rfind("-->");
  if (!starts_with(text, kHint) || end == std::string::npos) return "";
  const std::string inside = text.substr(std::string(kHint).size(), end - std::string(kHint).size());
  return trim_left(inside.substr(0, inside.find_last_not_of(" \t") + 1));
}

std::vector<Snippet> read_snippets(std::istream& in) {
  std::vector<Snippet> snippets;
  std::string line, previous;
  size_t indent = 0;
  bool inside = false, in_other_fence = false;
  for (int number = 1; std::getline(in, line); ++number) {
    const std::string text = trim_left(line);
    if (inside) {
      if (starts_with(text, "```")) {
        inside = false;
      } else {
        // Blocks inside list items are indented; the code is not.
        const size_t code = line.find_first_not_of(" \t");
        snippets.back().lines.push_back(line.substr(std::min(indent, std::min(code, line.size()))));
      }
    } else if (starts_with(text, "```")) {
      const std::string language = text.substr(3, text.find_first_of(" \t", 3) - 3);
      if (in_other_fence) {
        in_other_fence = false;
      } else if (language == "cpp") {
        inside = true;
        indent = line.size() - text.size();
        snippets.push_back({number, hint_parameters(previous), {}});
      } else {
        in_other_fence = true;
      }
    }
    if (!text.empty()) previous = line;
  }
  if (inside) {
    std::cerr << "extract_snippets: the ```cpp block at line " << snippets.back().fence_line
              << " is not closed\n";
    std::exit(1);
  }
  return snippets;
}

bool is_program(const Snippet& snippet) {
  for (const std::string& line : snippet.lines)
    if (starts_with(line, "int main(")) return true;
  return false;
}

// Points diagnostics back at the generated file after a snippet's #line.
void resume_lines(std::ostringstream& out, const std::string& path) {
  const std::string text = out.str();
  out << "#line " << std::count(text.begin(), text.end(), '\n') + 2 << " \"" << path << "\"\n";
}

// snippet_<document>_<index>: the document is in the name because every document's snippets
// link into one program, and two documents' program blocks both define snippet_main.
std::string namespace_of(const std::string& name, size_t index) {
  std::string id = "snippet_";
  for (const char c : name) id += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
  return id + "_" + std::to_string(index);
}

// The body of one snippet inside its own namespace, and the registration that runs it.
void write_snippet(std::ostringstream& out, const Snippet& snippet, size_t index,
                   const std::string& doc, const std::string& name, const std::string& path) {
  const std::string where = name + ":" + std::to_string(snippet.fence_line);
  const bool program = is_program(snippet);
  out << "\n// " << where << "\nnamespace " << namespace_of(name, index)
      << " {\nusing namespace nabla;\n";
  if (!program) out << "[[maybe_unused]] void run(" << snippet.parameters << ") {\n";
  out << "#line " << snippet.fence_line + 1 << " \"" << doc << "\"\n";
  for (std::string line : snippet.lines) {
    if (starts_with(line, "#include")) line = "";  // hoisted to the top of the file
    // auto: a main that ends without `return` (allowed for main alone) deduces void.
    if (program && starts_with(line, "int main(")) line.replace(0, 9, "auto snippet_main(");
    out << line << "\n";
  }
  if (!program) out << "}\n";
  resume_lines(out, path);
  if (program)
    out << "const bool registered = nabla::doc_snippets::add(\"" << where << "\", [] {\n"
        << "  if constexpr (std::is_void_v<decltype(snippet_main())>) return snippet_main(), 0;\n"
        << "  else return snippet_main();\n});\n";
  else if (snippet.parameters.empty())
    out << "const bool registered = nabla::doc_snippets::add(\"" << where
        << "\", [] { return run(), 0; });\n";
  out << "}  // namespace " << namespace_of(name, index) << "\n";
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4) {
    std::cerr << "usage: extract_snippets DOC.md NAME OUT.cpp\n";
    return 2;
  }
  const std::string doc = argv[1], name = argv[2];
  std::ifstream in(doc);
  if (!in) {
    std::cerr << "extract_snippets: cannot read " << doc << "\n";
    return 1;
  }
  const std::vector<Snippet> snippets = read_snippets(in);
  std::ostringstream out;
  out << "// Generated from " << name << " by tests/docs/extract_snippets.cpp: edit the document.\n";
  if (!snippets.empty()) {
    out << "#include <iostream>\n#include <type_traits>\n#include \"nabla/nabla.hpp\"\n"
        << "#include \"snippets.hpp\"\n";
    for (const Snippet& snippet : snippets)
      for (const std::string& line : snippet.lines)
        if (starts_with(line, "#include")) out << line << "\n";
  }
  for (size_t i = 0; i < snippets.size(); ++i) write_snippet(out, snippets[i], i, doc, name, argv[3]);
  std::ofstream(argv[3]) << out.str();
  return 0;
}
