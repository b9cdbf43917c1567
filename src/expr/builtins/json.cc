// expr/builtins/json.cc: JSON in and out of the language: builtins.toJSON and builtins.fromJSON.
// Both go through nlohmann::json, as Nix does, so numbers, escapes and UTF-8 errors come out byte
// for byte as Nix writes them.
#include <nlohmann/json.hpp>

#include "expr/builtins.h"
#include "expr/eval.h"
#include "expr/print.h"

namespace nixpp {

namespace {

using json = nlohmann::json;

struct JsonPrinter {
  EvalState& st;
  bool strict;
  NixStringContext& context;
  bool copyToStore;
  size_t depth = 0;

  // Adds a "… <hint>" frame at `pos` to errors passing through `f`.
  template <typename F>
  json traced(PosIdx pos, const std::string& hint, F&& f) {
    try {
      return f();
    } catch (EvalError& e) {
      st.addTrace(e, pos, hint);
      throw;
    }
  }

  json print(Value& v, PosIdx pos) {
    st.checkStack();
    // The toJSON call itself is one level of Nix's call depth.
    if (++depth >= st.settings.maxCallDepth) throw StackOverflowError("stack overflow; max-call-depth exceeded", st.pos(pos));
    struct Leave {
      size_t& d;
      ~Leave() { --d; }
    } leave{depth};
    if (strict) st.forceValue(v, pos);
    switch (v.type()) {
    case ValueType::Int: return json(v.integer());
    case ValueType::Bool: return json(v.boolean());
    case ValueType::Float: return json(v.fpoint());
    case ValueType::Null: return json(nullptr);
    case ValueType::String:
      EvalState::copyContext(v, context);
      return json(std::string(v.string_view()));
    case ValueType::Path: {
      std::string p(v.path()->view());
      return json(copyToStore ? st.copyPathToStore(context, p, pos) : p);
    }
    case ValueType::Attrs: return printAttrs(v);
    case ValueType::List: {
      json out = json::array();
      for (size_t i = 0; i < v.listSize(); ++i)
        out.push_back(traced(pos, "while evaluating list element at index " + std::to_string(i),
                             [&] { return print(*v.listElems()[i], pos); }));
      return out;
    }
    default: break;
    }
    // Nix blames the function itself where it has a position.
    throw TypeError("cannot convert " + st.showType(v) + " to JSON",
                    st.pos(v.type() == ValueType::Lambda ? v.lambda()->pos : pos));
  }

  json printAttrs(Value& v) {
    Bindings* b = v.attrs();
    if (auto* f = b->get(st.s.toString)) {
      return traced(f->pos, "while using the result of the `__toString` attribute", [&] {
        Value* self = st.allocValue();
        *self = v;
        Value res;
        st.callFunction(*f->value, *self, res, f->pos);
        st.forceValue(res, f->pos);
        if (res.type() == ValueType::Attrs && !res.attrs()->get(st.s.toString) && !res.attrs()->get(st.s.outPath))
          throw TypeError("`__toString` must return a string, but got " + st.showType(res) + ": " + printValueForError(st, res),
                          st.pos(f->pos));
        if (res.type() != ValueType::String && res.type() != ValueType::Path && res.type() != ValueType::Attrs)
          throw TypeError("`__toString` should return a string, but got " + st.showType(res) + ": " +
                              printValueForError(st, res),
                          st.pos(f->pos));
        return json(st.coerceToString(f->pos, res, context, "while evaluating the result of the `__toString` attribute", false, copyToStore));
      });
    }
    if (auto* o = b->get(st.s.outPath))
      return traced(o->pos, "while using the `outPath` attribute", [&] { return print(*o->value, o->pos); });
    json out = json::object();
    std::vector<const Attr*> sorted;
    for (auto& a : *b) sorted.push_back(&a);
    std::sort(sorted.begin(), sorted.end(), [&](const Attr* x, const Attr* y) { return st.name(x->name) < st.name(y->name); });
    for (auto* a : sorted) {
      std::string name(st.name(a->name));
      out.emplace(name, traced(a->pos, "while evaluating attribute '" + name + "'", [&] { return print(*a->value, a->pos); }));
    }
    return out;
  }
};

std::string toJsonText(EvalState& st, Value& v, PosIdx pos, NixStringContext& context) {
  json j = JsonPrinter{st, true, context, true}.print(v, pos);
  try {
    return j.dump();
  } catch (json::exception& e) {
    throw EvalError("JSON serialization error: " + std::string(e.what()), Pos{});
  }
}

void primToJSON(EvalState& st, PosIdx pos, Value** args, Value& v) {
  NixStringContext ctx;
  std::string s = toJsonText(st, *args[0], pos, ctx);
  st.mkString(v, s, ctx);
}

// "a\0b" -> "a␀b" for messages.
[[noreturn]] void nulError(std::string_view s) {
  std::string shown;
  for (char c : s) {
    if (c) shown += c;
    else shown += "\xe2\x90\x80";
  }
  throw EvalError("input string '" + shown + "' cannot be represented as Nix string because it contains null bytes", Pos{});
}

void fromJson(EvalState& st, const json& j, Value& v) {
  st.checkStack();
  switch (j.type()) {
  case json::value_t::null: return v.mkNull();
  case json::value_t::boolean: return v.mkBool(j.get<bool>());
  case json::value_t::number_integer: return v.mkInt(j.get<int64_t>());
  case json::value_t::number_unsigned: {
    uint64_t n = j.get<uint64_t>();
    if (n > uint64_t(INT64_MAX))
      throw EvalError("unsigned json number " + std::to_string(n) + " outside of Nix integer range", Pos{});
    return v.mkInt(int64_t(n));
  }
  case json::value_t::number_float: return v.mkFloat(j.get<double>());
  case json::value_t::string: {
    const auto& s = j.get_ref<const std::string&>();
    if (s.find('\0') != std::string::npos) nulError(s);
    return st.mkString(v, s);
  }
  case json::value_t::array: {
    st.mkList(v, j.size());
    for (size_t i = 0; i < j.size(); ++i) {
      Value* e = st.allocValue();
      fromJson(st, j[i], *e);
      v.listElems()[i] = e;
    }
    return;
  }
  case json::value_t::object: {
    Bindings* b = st.allocBindings(j.size());
    for (auto& [key, val] : j.items()) {
      if (key.find('\0') != std::string::npos) nulError(key);
      Value* e = st.allocValue();
      fromJson(st, val, *e);
      b->push(st.symbol(key), e);
    }
    b->sort();
    return v.mkAttrs(b);
  }
  default: throw EvalError("unsupported JSON value", Pos{});
  }
}

void primFromJSON(EvalState& st, PosIdx pos, Value** args, Value& v) {
  std::string_view s = st.forceStringNoCtx(*args[0], pos, "while evaluating the first argument passed to builtins.fromJSON");
  json j;
  try {
    j = json::parse(s);
  } catch (json::exception& e) {
    EvalError err(e.what(), Pos{});
    st.addTrace(err, pos, "while decoding a JSON string");
    throw err;
  }
  fromJson(st, j, v);
}

} // namespace

void registerJsonBuiltins(BuiltinTable& t) {
  t.add("toJSON", 1, primToJSON);
  t.add("fromJSON", 1, primFromJSON);
}

} // namespace nixpp
