// expr/value_to_json.cc: values as JSON (builtins.toJSON, --json), as Nix writes them.
#include <cmath>
#include <cstdio>

#include "expr/eval.h"
#include "expr/print.h"

namespace nixpp {

namespace {

void jsonString(std::string_view s, std::string& out) {
  out += '"';
  for (unsigned char c : s) {
    switch (c) {
    case '"': out += "\\\""; break;
    case '\\': out += "\\\\"; break;
    case '\n': out += "\\n"; break;
    case '\r': out += "\\r"; break;
    case '\t': out += "\\t"; break;
    case '\b': out += "\\b"; break;
    case '\f': out += "\\f"; break;
    default:
      if (c < 0x20) {
        char buf[8];
        std::snprintf(buf, sizeof buf, "\\u%04x", c);
        out += buf;
      } else out += char(c);
    }
  }
  out += '"';
}

void toJson(EvalState& st, Value& v, PosIdx pos, bool strict, NixStringContext& context, bool copyToStore,
            std::string& out) {
  st.checkStack();
  if (strict) st.forceValue(v, pos);
  switch (v.type()) {
  case ValueType::Int: out += std::to_string(v.integer()); return;
  case ValueType::Float: {
    // Nix uses nlohmann::json's shortest round-trip representation.
    char buf[64];
    double f = v.fpoint();
    for (int prec = 1; prec <= 17; ++prec) {
      std::snprintf(buf, sizeof buf, "%.*g", prec, f);
      if (std::strtod(buf, nullptr) == f) break;
    }
    std::string s = buf;
    if (std::isfinite(f) && s.find_first_of(".eE") == std::string::npos) s += ".0";
    out += s;
    return;
  }
  case ValueType::Bool: out += v.boolean() ? "true" : "false"; return;
  case ValueType::Null: out += "null"; return;
  case ValueType::String:
    EvalState::copyContext(v, context);
    jsonString(v.string_view(), out);
    return;
  case ValueType::Path: {
    std::string p(v.path()->view());
    jsonString(copyToStore ? st.copyPathToStore(context, p, pos) : p, out);
    return;
  }
  case ValueType::Attrs: {
    Bindings* b = v.attrs();
    if (auto* ts = b->get(st.s.toString)) {
      (void)ts;
      std::string s = st.coerceToString(pos, v, context, "while evaluating the __toString attribute", false, copyToStore);
      jsonString(s, out);
      return;
    }
    if (auto* o = b->get(st.s.outPath)) return toJson(st, *o->value, o->pos, strict, context, copyToStore, out);
    std::vector<const Attr*> sorted;
    for (auto& a : *b) sorted.push_back(&a);
    std::sort(sorted.begin(), sorted.end(), [&](const Attr* x, const Attr* y) { return st.name(x->name) < st.name(y->name); });
    out += '{';
    bool first = true;
    for (auto* a : sorted) {
      if (!first) out += ',';
      first = false;
      jsonString(st.name(a->name), out);
      out += ':';
      try {
        toJson(st, *a->value, a->pos, strict, context, copyToStore, out);
      } catch (EvalError& e) {
        if (st.settings.showTrace)
          st.addTrace(e, a->pos, "while evaluating attribute '" + std::string(st.name(a->name)) + "'");
        throw;
      }
    }
    out += '}';
    return;
  }
  case ValueType::List: {
    out += '[';
    for (size_t i = 0; i < v.listSize(); ++i) {
      if (i) out += ',';
      toJson(st, *v.listElems()[i], pos, strict, context, copyToStore, out);
    }
    out += ']';
    return;
  }
  default:
    throw TypeError("cannot convert " + st.showType(v) + " to JSON", st.pos(pos));
  }
}

} // namespace

std::string printValueAsJson(EvalState& state, Value& v, PosIdx pos, bool strict, std::set<std::string>& context,
                             bool copyToStore) {
  std::string out;
  toJson(state, v, pos, strict, context, copyToStore, out);
  return out;
}

} // namespace nixpp
