#include "run/toml_input.hpp"

#include <toml++/toml.h>

#include <algorithm>
#include <cstdio>
#include <string>

namespace nabla::run {

namespace {

// Length of the UTF-8 sequence starting at text[i] (1 to 4), or 0 when it is malformed: a
// stray continuation byte, a truncated sequence, an overlong form, a surrogate or > U+10FFFF.
size_t utf8_length(std::string_view text, size_t i) {
  const auto byte = [&](size_t k) { return static_cast<unsigned char>(text[k]); };
  const unsigned char lead = byte(i);
  if (lead < 0x80) return 1;
  size_t length = 0;
  unsigned char low = 0x80, high = 0xBF;  // allowed range of the second byte
  if (lead >= 0xC2 && lead <= 0xDF) length = 2;
  else if (lead == 0xE0) length = 3, low = 0xA0;
  else if (lead >= 0xE1 && lead <= 0xEF) length = 3, high = lead == 0xED ? 0x9F : 0xBF;
  else if (lead == 0xF0) length = 4, low = 0x90;
  else if (lead >= 0xF1 && lead <= 0xF4) length = 4, high = lead == 0xF4 ? 0x8F : 0xBF;
  else return 0;
  if (i + length > text.size() || byte(i + 1) < low || byte(i + 1) > high) return 0;
  for (size_t k = 2; k < length; ++k)
    if (byte(i + k) < 0x80 || byte(i + k) > 0xBF) return 0;
  return length;
}

// Whether a quote at text[at] can open a string: TOML has strings only where a key or a value
// starts, after whitespace, '=', '[', '{', ',' or a dotted key's '.'. Anywhere else (0'5, a
// quote after a quote that opened nothing: 0'') toml++ 3.3 reads on as part of a value, so
// the text after it is code.
bool opens_string(std::string_view text, size_t at) {
  if (at == 0) return true;
  const char p = text[at - 1];
  return p == ' ' || p == '\t' || p == '\n' || p == '\r' || p == '=' || p == '[' || p == '{' ||
         p == ',' || p == '.';
}

std::string hex_byte(unsigned char value) {
  char text[8];
  std::snprintf(text, sizeof text, "0x%02X", value);
  return text;
}

// Walks `text` by characters, tracking the line and column.
struct Cursor {
  std::string_view text;
  size_t at = 0, line = 1, line_start = 0;

  bool done() const { return at >= text.size(); }
  bool starts_with(std::string_view token) const { return text.substr(at).starts_with(token); }
  TextProblem problem(std::string what) const { return {line, at - line_start + 1, std::move(what)}; }
  void advance(size_t bytes) {
    for (const size_t end = std::min(at + bytes, text.size()); at < end; ++at)
      if (text[at] == '\n') ++line, line_start = at + 1;
  }
};

std::optional<TextProblem> check_character(const Cursor& c, size_t length) {
  if (length == 0)
    return c.problem("byte " + hex_byte(static_cast<unsigned char>(c.text[c.at])) +
                     " is not UTF-8; save the file as UTF-8");
  const auto ch = static_cast<unsigned char>(c.text[c.at]);
  if ((ch < 0x20 && ch != '\t' && ch != '\n' && ch != '\r') || ch == 0x7F)
    return c.problem("control character " + hex_byte(ch) +
                     " is not allowed in TOML (only tab and line breaks); remove it");
  return std::nullopt;
}

// The last guard for a text that passed the scan below: toml++ parses a copy with every non-ASCII
// byte replaced by '!', a character TOML allows only inside strings and comments. If the copy
// parses, every non-ASCII character of the text sits where toml++ takes it as string or comment
// content, never where its Unicode tables are asked about it (the scan cannot follow toml++'s
// grammar everywhere: fuzz finding 6 was "v = 6='é"). If the copy does not parse, its error is
// the text's (the same bytes up to there), or a non-ASCII character where code was expected.
std::optional<TextProblem> parse_ascii_copy(std::string_view text) {
  std::string copy(text);
  bool ascii = true;
  for (char& ch : copy)
    if (static_cast<unsigned char>(ch) >= 0x80) ch = '!', ascii = false;
  if (ascii) return std::nullopt;
  try {
    (void)toml::parse(copy);
    return std::nullopt;
  } catch (const toml::parse_error& error) {
    const toml::source_position at = error.source().begin;
    Cursor c{text};
    while (!c.done() && c.line < at.line) c.advance(1);
    const size_t line_end = std::min(text.find('\n', c.at), text.size());
    // toml++ counts columns in characters, one byte each in the copy.
    c.advance(std::min<size_t>(at.column > 0 ? at.column - 1 : 0, line_end - c.at));
    if (c.at < text.size() && static_cast<unsigned char>(text[c.at]) >= 0x80)
      return c.problem("non-ASCII character outside a string or comment; TOML keys and values "
                       "are ASCII there (put text in quotes)");
    return c.problem(std::string(error.description()));
  }
}

}  // namespace

std::optional<TextProblem> find_invalid_utf8(std::string_view text) {
  Cursor c{text};
  while (!c.done()) {
    const size_t length = utf8_length(text, c.at);
    if (length == 0) return check_character(c, 0);
    c.advance(length);
  }
  return std::nullopt;
}

std::optional<TextProblem> find_unsafe_toml(std::string_view text) {
  Cursor c{text};
  // Where the cursor is: outside strings, in a comment, or in a string closed by `closer`.
  enum class In { code, comment, string } in = In::code;
  std::string_view closer;
  bool escapes = false;  // basic strings: a backslash escapes the next character
  bool escaped = false;
  while (!c.done()) {
    const size_t length = utf8_length(text, c.at);
    if (auto problem = check_character(c, length)) return problem;
    const char ch = text[c.at];
    size_t step = length;
    if (in == In::code) {
      if (length > 1)
        return c.problem("non-ASCII character outside a string or comment; TOML keys and values "
                         "are ASCII there (put text in quotes)");
      if (ch == '#') {
        in = In::comment;
      } else if ((ch == '"' || ch == '\'') && opens_string(text, c.at)) {
        const bool multi = c.starts_with(ch == '"' ? "\"\"\"" : "'''");
        closer = multi ? text.substr(c.at, 3) : text.substr(c.at, 1);
        escapes = ch == '"';
        in = In::string;
        step = closer.size();
      }
    } else if (in == In::comment) {
      if (ch == '\n') in = In::code;
    } else if (escaped) {
      escaped = false;  // \" does not close the string, \\ does not escape the next one
      // toml++ 3.3 asks whether the character after a backslash (and, for a line-ending
      // backslash, the first one after the skipped whitespace) is Unicode whitespace, and its
      // table reaches TOML_UNREACHABLE for some non-ASCII characters: undefined behaviour.
      size_t next = c.at;
      while (next < text.size() && (text[next] == ' ' || text[next] == '\t' ||
                                    text[next] == '\r' || text[next] == '\n'))
        ++next;
      if (next < text.size() && static_cast<unsigned char>(text[next]) >= 0x80)
        return c.problem("a non-ASCII character right after a backslash escape (or its line "
                         "break) in a string; TOML escapes are ASCII (\\n, \\t, \\uXXXX): write "
                         "the character as \\uXXXX or put it after an ASCII one");
    } else if (escapes && ch == '\\') {
      escaped = true;
    } else if (c.starts_with(closer)) {
      step = closer.size();
      // A multi-line string may end in one or two quotes of its own: """a""""".
      if (closer.size() == 3)
        while (step < 5 && c.at + step < text.size() && text[c.at + step] == ch) ++step;
      in = In::code;
    } else if (ch == '\n' && closer.size() == 1) {
      in = In::code;  // an unterminated single-line string: toml++ reports it
    }
    c.advance(step);
  }
  return parse_ascii_copy(text);
}

}  // namespace nabla::run
