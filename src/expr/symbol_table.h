// expr/symbol_table.h: interned identifiers. A Symbol is a small integer naming one string in a
// SymbolTable; comparing symbols is comparing integers. Symbols are numbered in creation order
// (1, 2, ...; 0 is "no symbol"), which is the order Nix uses for attribute maps and formals.
#pragma once

#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <functional>
#include <vector>

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
// hands out stay valid for the table's lifetime. The index is an open-addressing hash table of
// (hash, id) pairs, 8 bytes each: a lookup touches one slot and the one string it compares.
// Not thread-safe.
class SymbolTable {
public:
  // Returns the symbol for `s`, interning it on first use.
  Symbol create(std::string_view s) {
    if ((strings_.size() + 1) * 4 > slots_.size() * 3) grow();
    auto h = uint32_t(std::hash<std::string_view>{}(s));
    size_t mask = slots_.size() - 1;
    for (size_t i = h & mask;; i = (i + 1) & mask) {
      Slot& slot = slots_[i];
      if (slot.id == 0) {
        strings_.emplace_back(s);
        slot = Slot{h, uint32_t(strings_.size())};
        return Symbol(slot.id);
      }
      if (slot.hash == h && strings_[slot.id - 1] == s) return Symbol(slot.id);
    }
  }
  // The string of a non-empty symbol created by this table.
  std::string_view operator[](Symbol s) const { return strings_[s.id() - 1]; }
  size_t size() const { return strings_.size(); }

private:
  struct Slot {
    uint32_t hash = 0;
    uint32_t id = 0;  // 0: empty
  };
  void grow() {
    std::vector<Slot> old = std::move(slots_);
    slots_.assign(old.empty() ? 1024 : old.size() * 2, Slot{});
    size_t mask = slots_.size() - 1;
    for (auto& o : old) {
      if (!o.id) continue;
      size_t i = o.hash & mask;
      while (slots_[i].id) i = (i + 1) & mask;
      slots_[i] = o;
    }
  }

  std::deque<std::string> strings_;
  std::vector<Slot> slots_;
};

} // namespace nixpp
