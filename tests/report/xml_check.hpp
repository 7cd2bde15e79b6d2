// A small strict XML well-formedness scanner for the tests: balanced and properly nested tags,
// quoted and unique attributes, no raw '<' in text or attribute values, and only the five XML
// entities or numeric references after '&'. Enough to catch a broken <svg> before a browser's
// forgiving parser hides it.
#pragma once

#include <cctype>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace nabla::report::testing {

namespace detail {

inline bool name_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == ':' ||
         c == '.';
}

// Checks an entity reference at xml[i] == '&'; returns its length, or 0 when it is not one.
inline size_t entity_length(std::string_view xml, size_t i) {
  const size_t end = xml.find(';', i);
  if (end == std::string_view::npos || end - i > 10) return 0;
  const std::string_view body = xml.substr(i + 1, end - i - 1);
  static const std::set<std::string_view> named = {"amp", "lt", "gt", "quot", "apos"};
  if (named.count(body)) return end - i + 1;
  if (body.size() >= 2 && body[0] == '#') {
    const bool hex = body[1] == 'x';
    const std::string_view digits = body.substr(hex ? 2 : 1);
    if (digits.empty()) return 0;
    for (char c : digits)
      if (!(hex ? std::isxdigit(static_cast<unsigned char>(c))
                : std::isdigit(static_cast<unsigned char>(c))))
        return 0;
    return end - i + 1;
  }
  return 0;
}

// Text or an attribute value from i up to `stop`: checks '<' and '&'; returns an error or "".
inline std::string check_text(std::string_view xml, size_t i, size_t stop) {
  for (; i < stop; ++i) {
    if (xml[i] == '<') return "raw '<' at offset " + std::to_string(i);
    if (xml[i] == '&') {
      const size_t length = entity_length(xml, i);
      if (length == 0) return "bad entity at offset " + std::to_string(i);
      i += length - 1;
    }
  }
  return "";
}

}  // namespace detail

// "" when `xml` is one well-formed element (plus surrounding whitespace), else what is wrong.
inline std::string xml_problem(std::string_view xml) {
  std::vector<std::string> open;
  size_t i = 0, roots = 0;
  while (i < xml.size()) {
    if (xml[i] != '<') {
      const size_t next = std::min(xml.find('<', i), xml.size());
      if (open.empty() && xml.substr(i, next - i).find_first_not_of(" \n\t\r") != std::string::npos)
        return "text outside the root element at offset " + std::to_string(i);
      if (auto problem = detail::check_text(xml, i, next); !problem.empty()) return problem;
      i = next;
      continue;
    }
    if (xml.substr(i, 4) == "<!--") {
      const size_t end = xml.find("-->", i);
      if (end == std::string_view::npos) return "unclosed comment";
      i = end + 3;
      continue;
    }
    const bool closing = i + 1 < xml.size() && xml[i + 1] == '/';
    size_t j = i + (closing ? 2 : 1);
    const size_t name_start = j;
    while (j < xml.size() && detail::name_char(xml[j])) ++j;
    const std::string name(xml.substr(name_start, j - name_start));
    if (name.empty()) return "tag without a name at offset " + std::to_string(i);
    if (closing) {
      while (j < xml.size() && std::isspace(static_cast<unsigned char>(xml[j]))) ++j;
      if (j >= xml.size() || xml[j] != '>') return "bad closing tag </" + name;
      if (open.empty() || open.back() != name)
        return "</" + name + "> closes <" + (open.empty() ? std::string("nothing") : open.back()) +
               "> at offset " + std::to_string(i);
      open.pop_back();
      i = j + 1;
      continue;
    }
    std::set<std::string> attributes;
    bool self_closing = false;
    while (true) {
      while (j < xml.size() && std::isspace(static_cast<unsigned char>(xml[j]))) ++j;
      if (j >= xml.size()) return "unterminated <" + name;
      if (xml[j] == '>') break;
      if (xml.substr(j, 2) == "/>") {
        self_closing = true;
        ++j;
        break;
      }
      const size_t attr_start = j;
      while (j < xml.size() && detail::name_char(xml[j])) ++j;
      const std::string attr(xml.substr(attr_start, j - attr_start));
      if (attr.empty() || j + 1 >= xml.size() || xml[j] != '=' ||
          (xml[j + 1] != '"' && xml[j + 1] != '\''))
        return "bad attribute in <" + name + "> at offset " + std::to_string(attr_start);
      if (!attributes.insert(attr).second) return "attribute " + attr + " twice in <" + name + ">";
      const char quote = xml[j + 1];
      const size_t value_end = xml.find(quote, j + 2);
      if (value_end == std::string_view::npos) return "unclosed value of " + attr;
      if (auto problem = detail::check_text(xml, j + 2, value_end); !problem.empty())
        return problem + " in " + attr + " of <" + name + ">";
      j = value_end + 1;
    }
    if (open.empty()) ++roots;
    if (!self_closing) open.push_back(name);
    i = j + 1;
  }
  if (!open.empty()) return "<" + open.back() + "> never closed";
  if (roots != 1) return std::to_string(roots) + " root elements";
  return "";
}

// Every <svg ...>...</svg> in an HTML page, in order (SVGs do not nest in the report).
inline std::vector<std::string> svg_elements(const std::string& html) {
  std::vector<std::string> out;
  for (size_t at = html.find("<svg"); at != std::string::npos; at = html.find("<svg", at + 1)) {
    const size_t end = html.find("</svg>", at);
    out.push_back(html.substr(at, end == std::string::npos ? std::string::npos : end + 6 - at));
  }
  return out;
}

}  // namespace nabla::report::testing
