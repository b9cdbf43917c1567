// expr/print.cc: printing values as Nix does.
#include "expr/print.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <unordered_set>

#include "expr/eval.h"

namespace nixpp {

void printFloat(double f, std::string& out) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%g", f);
  out += buf;
}

namespace {

std::vector<const Attr*> lexicographic(EvalState& st, Bindings* b) {
  std::vector<const Attr*> v;
  v.reserve(b->size);
  for (auto& a : *b) v.push_back(&a);
  std::sort(v.begin(), v.end(), [&](const Attr* x, const Attr* y) { return st.name(x->name) < st.name(y->name); });
  return v;
}

// nix-instantiate --eval's printer (Nix's printAmbiguous).
struct AmbiguousPrinter {
  EvalState& st;
  const PrintOptions& opts;
  std::string& out;
  std::unordered_set<const void*> seen;

  void print(Value& v, size_t depth) {
    st.checkStack();
    if (opts.force && v.isThunk()) st.forceValue(v, noPos);
    switch (v.type()) {
    case ValueType::Int: out += std::to_string(v.integer()); return;
    case ValueType::Float: printFloat(v.fpoint(), out); return;
    case ValueType::Bool: out += v.boolean() ? "true" : "false"; return;
    case ValueType::Null: out += "null"; return;
    case ValueType::String: printLiteralString(v.string_view(), out); return;
    case ValueType::Path: out += v.path()->view(); return;
    case ValueType::Attrs: {
      Bindings* b = v.attrs();
      if (b->size && !seen.insert(b).second) {
        out += "«repeated»";
        return;
      }
      if (depth >= opts.maxDepth) {
        out += "{ ... }";
        return;
      }
      out += "{ ";
      for (auto* a : lexicographic(st, b)) {
        printIdentifier(st.name(a->name), out);
        out += " = ";
        print(*a->value, depth + 1);
        out += "; ";
      }
      out += "}";
      return;
    }
    case ValueType::List: {
      // Nix keeps lists of up to two elements inside the value: those are identified by the
      // value's address, longer ones by their element array.
      const void* key = v.listSize() <= 2 ? static_cast<const void*>(&v) : v.listElems();
      if (v.listSize() && !seen.insert(key).second) {
        out += "«repeated»";
        return;
      }
      if (depth >= opts.maxDepth) {
        out += "[ ... ]";
        return;
      }
      out += "[ ";
      for (size_t i = 0; i < v.listSize(); ++i) {
        print(*v.listElems()[i], depth + 1);
        out += " ";
      }
      out += "]";
      return;
    }
    case ValueType::Thunk:
    case ValueType::App:
    case ValueType::Failed: out += "<CODE>"; return;
    case ValueType::Blackhole: out += "«potential infinite recursion»"; return;
    case ValueType::Lambda: out += "<LAMBDA>"; return;
    case ValueType::PrimOp: out += "<PRIMOP>"; return;
    case ValueType::PrimOpApp: out += "<PRIMOP-APP>"; return;
    case ValueType::Uninit: out += "<UNINITIALISED>"; return;
    }
  }
};

// The printer of error messages and traces (Nix's ValuePrinter with errorPrintOptions).
struct ErrorPrinter {
  ErrorPrinter(EvalState& s, std::string& o) : st(s), out(o) {}
  EvalState& st;
  std::string& out;
  size_t maxDepth = 10, maxAttrs = 10, maxItems = 10, maxString = 1024;
  size_t attrsPrinted = 0, itemsPrinted = 0;
  std::unordered_set<const void*> seen;

  void printString(std::string_view s) {
    if (s.size() > maxString) {
      printLiteralString(s.substr(0, maxString), out);
      out += "«" + std::to_string(s.size() - maxString) + " bytes elided»";
    } else printLiteralString(s, out);
  }

  void print(Value& v, size_t depth) {
    switch (v.type()) {
    case ValueType::Int: out += std::to_string(v.integer()); return;
    case ValueType::Float: printFloat(v.fpoint(), out); return;
    case ValueType::Bool: out += v.boolean() ? "true" : "false"; return;
    case ValueType::Null: out += "null"; return;
    case ValueType::String: printString(v.string_view()); return;
    case ValueType::Path: out += v.path()->view(); return;
    case ValueType::Attrs: {
      Bindings* b = v.attrs();
      if (b->size && !seen.insert(b).second) {
        out += "«repeated»";
        return;
      }
      if (st.isDerivation(v)) {
        out += "«derivation";
        if (auto* d = b->get(st.s.drvPath); d && d->value->type() == ValueType::String) {
          out += " ";
          out += d->value->string_view();
        }
        out += "»";
        return;
      }
      if (b->size == 0) {
        out += "{ }";
        return;
      }
      if (depth >= maxDepth) {
        out += "{ ... }";
        return;
      }
      out += "{ ";
      auto sorted = lexicographic(st, b);
      size_t i = 0;
      for (; i < sorted.size(); ++i) {
        if (attrsPrinted >= maxAttrs) break;
        printIdentifier(st.name(sorted[i]->name), out);
        out += " = ";
        print(*sorted[i]->value, depth + 1);
        out += "; ";
        ++attrsPrinted;
      }
      if (i < sorted.size()) {
        size_t n = sorted.size() - i;
        out += "«" + std::to_string(n) + (n == 1 ? " attribute elided» " : " attributes elided» ");
      }
      out += "}";
      return;
    }
    case ValueType::List: {
      const void* key = v.listSize() <= 2 ? static_cast<const void*>(&v) : v.listElems();
      if (v.listSize() && !seen.insert(key).second) {
        out += "«repeated»";
        return;
      }
      if (v.listSize() == 0) {
        out += "[ ]";
        return;
      }
      if (depth >= maxDepth) {
        out += "[ ... ]";
        return;
      }
      out += "[ ";
      size_t i = 0;
      for (; i < v.listSize(); ++i) {
        if (itemsPrinted >= maxItems) break;
        print(*v.listElems()[i], depth + 1);
        out += " ";
        ++itemsPrinted;
      }
      if (i < v.listSize()) {
        size_t n = v.listSize() - i;
        out += "«" + std::to_string(n) + (n == 1 ? " item elided» " : " items elided» ");
      }
      out += "]";
      return;
    }
    case ValueType::Thunk:
    case ValueType::App:
    case ValueType::Failed: out += "«thunk»"; return;
    case ValueType::Blackhole: out += "«potential infinite recursion»"; return;
    case ValueType::Lambda: {
      auto* l = v.lambda();
      out += "«lambda";
      if (l->name) out += " " + std::string(st.name(l->name));
      Pos p = st.pos(l->pos);
      if (p) out += " @ " + p.toString();
      out += "»";
      return;
    }
    case ValueType::PrimOp: out += "«primop " + v.primOp()->name + "»"; return;
    case ValueType::PrimOpApp: {
      const Value* p = &v;
      while (p->type() == ValueType::PrimOpApp) p = p->primOpAppLeft();
      out += "«partially applied primop " + p->primOp()->name + "»";
      return;
    }
    case ValueType::Uninit: out += "«uninitialised»"; return;
    }
  }
};

} // namespace

std::string printValue(EvalState& state, Value& v, const PrintOptions& opts) {
  std::string out;
  AmbiguousPrinter{state, opts, out, {}}.print(v, 0);
  return out;
}

std::string printValueForError(EvalState& state, Value& v) {
  std::string out;
  ErrorPrinter p{state, out};
  p.print(v, 0);
  return out;
}

} // namespace nixpp
