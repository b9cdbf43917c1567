#include "expr/pos.h"

#include <algorithm>
#include <cstdio>

#include "util/error.h"

namespace nixpp {

struct PosTable::Entry {
  Origin origin;
  uint64_t base;                           // first handle of this origin
  mutable std::vector<uint32_t> lineStarts;  // computed on first resolution
};

std::string Origin::display() const {
  switch (kind) {
  case Kind::Stdin: return "«stdin»";
  case Kind::String: return "«string»";
  case Kind::File: return path;
  case Kind::Internal: return "«nix-internal»/" + path;
  }
  return path;
}

PosTable::PosTable() = default;
PosTable::~PosTable() = default;

uint32_t PosTable::addOrigin(Origin origin) {
  uint64_t base = origins_.empty() ? 1 : origins_.back()->base + origins_.back()->origin.source->size() + 1;
  size_t size = origin.source ? origin.source->size() : 0;
  if (base + size + 1 >= (uint64_t(1) << 32)) throw Error("too much Nix source code: position table is full");
  if (!origin.source) origin.source = std::make_shared<std::string>();
  origins_.push_back(std::make_unique<Entry>(Entry{std::move(origin), base, {}}));
  return uint32_t(origins_.size() - 1);
}

PosIdx PosTable::add(uint32_t originNr, uint32_t offset) const {
  return PosIdx(uint32_t(origins_[originNr]->base + offset));
}

const Origin& PosTable::origin(uint32_t originNr) const { return origins_[originNr]->origin; }

static void computeLines(const std::string& s, std::vector<uint32_t>& starts) {
  starts.push_back(0);
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\r') {
      if (i + 1 < s.size() && s[i + 1] == '\n') ++i;
      starts.push_back(uint32_t(i + 1));
    } else if (s[i] == '\n') {
      starts.push_back(uint32_t(i + 1));
    }
  }
}

Pos PosTable::operator[](PosIdx p) const {
  if (!p || origins_.empty()) return {};
  auto it = std::upper_bound(origins_.begin(), origins_.end(), uint64_t(p.id()),
                             [](uint64_t v, const std::unique_ptr<Entry>& e) { return v < e->base; });
  if (it == origins_.begin()) return {};
  const Entry& e = **(it - 1);
  uint32_t offset = uint32_t(p.id() - e.base);
  if (e.lineStarts.empty()) computeLines(*e.origin.source, e.lineStarts);
  auto l = std::upper_bound(e.lineStarts.begin(), e.lineStarts.end(), offset) - 1;
  return Pos{&e.origin, uint32_t(l - e.lineStarts.begin() + 1), offset - *l + 1};
}

std::string Pos::toString() const {
  if (!origin) return "«none»";
  return origin->display() + ":" + std::to_string(line) + ":" + std::to_string(column);
}

std::string Pos::codeFrame() const {
  if (!origin || !origin->source) return {};
  const std::string& s = *origin->source;
  // Split into lines the way positions count them.
  std::vector<std::string_view> lines;
  size_t start = 0;
  for (size_t i = 0; i <= s.size(); ++i) {
    if (i == s.size()) {
      lines.push_back(std::string_view(s).substr(start, i - start));
      break;
    }
    if (s[i] == '\n' || s[i] == '\r') {
      lines.push_back(std::string_view(s).substr(start, i - start));
      if (s[i] == '\r' && i + 1 < s.size() && s[i + 1] == '\n') ++i;
      start = i + 1;
    }
  }
  if (line == 0 || line > lines.size()) return {};
  auto numbered = [&](uint32_t n) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%5u", n);
    std::string out = "\n        " + std::string(buf) + "|";
    std::string_view text = lines[n - 1];
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
    if (!text.empty()) out += " " + std::string(text);
    return out;
  };
  std::string out;
  if (line > 1) out += numbered(line - 1);
  out += numbered(line);
  if (column > 0) out += "\n" + std::string(13, ' ') + "|" + std::string(column, ' ') + "^";
  if (line < lines.size()) out += numbered(line + 1);
  return out;
}

} // namespace nixpp
