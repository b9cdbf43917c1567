// expr/symbol_table.h: interned identifiers. A Symbol is a small integer naming one string in a
// SymbolTable; comparing symbols is comparing integers. Symbols are numbered in creation order
// (1, 2, ...; 0 is "no symbol"), which is the order Nix uses for attribute maps and formals.
#pragma once

#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <unordered_map>

namespace nixpp {

// An interned string. Default-constructed: the empty Symbol (false in a boolean context).
class Symbol {
public:
  constexpr Symbol() = default;
  constexpr explicit Symbol(uint32_t id) : id_(id) {}
  constexpr uint32_t id() const { return id_; }
  constexpr explicit operator bool() const { return id_ != 0; }
  constexpr auto operator<=>(const Symbol&) const = default;

private:
  uint32_t id_ = 0;
};

// Owns the strings of all symbols. Strings never move once interned, so the string_views it
// hands out stay valid for the table's lifetime. Not thread-safe.
class SymbolTable {
public:
  // Returns the symbol for `s`, interning it on first use.
  Symbol create(std::string_view s) {
    if (auto i = index_.find(s); i != index_.end()) return Symbol(i->second);
    strings_.emplace_back(s);
    std::string_view stored = strings_.back();
    auto id = uint32_t(strings_.size());
    index_.emplace(stored, id);
    return Symbol(id);
  }
  // The string of a non-empty symbol created by this table.
  std::string_view operator[](Symbol s) const { return strings_[s.id() - 1]; }
  size_t size() const { return strings_.size(); }

private:
  std::deque<std::string> strings_;
  std::unordered_map<std::string_view, uint32_t> index_;
};

} // namespace nixpp
