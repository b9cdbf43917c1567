// util/xml_writer.h: XML as Nix's XMLWriter writes it (builtins.toXML, nix-instantiate --xml,
// nix-env -q --xml): two spaces of indentation per level, attributes in the order given, `"`,
// `<`, `>`, `&` and newlines escaped in attribute values, an empty element as `<name ... />`,
// an opened element always closed on a line of its own (`<items>\n</items>` when empty).
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace nixpp {

struct XmlWriter {
  using Attrs = std::vector<std::pair<std::string, std::string>>;

  std::string& out;  // appended to
  size_t depth = 0;

  void escape(std::string_view s) {
    for (char c : s) {
      switch (c) {
      case '"': out += "&quot;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '&': out += "&amp;"; break;
      case '\n': out += "&#xA;"; break;  // as Nix: only newlines, not \r or \t
      default: out += c;
      }
    }
  }
  void tag(std::string_view name, const Attrs& attrs, bool empty) {
    out.append(depth * 2, ' ');
    out += '<';
    out += name;
    for (auto& [k, v] : attrs) {
      out += ' ';
      out += k;
      out += "=\"";
      escape(v);
      out += '"';
    }
    out += empty ? " />\n" : ">\n";
    if (!empty) ++depth;
  }
  void open(std::string_view name, const Attrs& attrs = {}) { tag(name, attrs, false); }
  void close(std::string_view name) {
    --depth;
    out.append(depth * 2, ' ');
    out += "</";
    out += name;
    out += ">\n";
  }
  void empty(std::string_view name, const Attrs& attrs = {}) { tag(name, attrs, true); }
};

} // namespace nixpp
