// expr/value_to_xml.cc: values as Nix's XML (builtins.toXML, --xml).
#include <cstdio>

#include "expr/eval.h"
#include "expr/print.h"
#include "util/xml_writer.h"

namespace nixpp {

namespace {

struct ToXml {
  EvalState& st;
  XmlWriter w;
  bool location;
  NixStringContext& context;
  std::set<std::string> drvsSeen;

  void posAttrs(XmlWriter::Attrs& a, PosIdx p) {
    if (!location) return;
    Pos pos = st.pos(p);
    if (!pos) return;
    a.emplace_back("column", std::to_string(pos.column));
    a.emplace_back("line", std::to_string(pos.line));
    a.emplace_back("path", pos.origin->display());
  }

  void attrs(Bindings* b) {
    std::vector<const Attr*> sorted;
    for (auto& a : *b) sorted.push_back(&a);
    std::sort(sorted.begin(), sorted.end(), [&](const Attr* x, const Attr* y) { return st.name(x->name) < st.name(y->name); });
    for (auto* a : sorted) {
      XmlWriter::Attrs xa{{"name", std::string(st.name(a->name))}};
      posAttrs(xa, a->pos);
      w.open("attr", xa);
      print(*a->value, a->pos);
      w.close("attr");
    }
  }

  void print(Value& v, PosIdx pos) {
    st.checkStack();
    st.forceValue(v, pos);
    switch (v.type()) {
    case ValueType::Int: w.empty("int", {{"value", std::to_string(v.integer())}}); return;
    case ValueType::Float: {
      std::string f;
      printFloat(v.fpoint(), f);
      w.empty("float", {{"value", f}});
      return;
    }
    case ValueType::Bool: w.empty("bool", {{"value", v.boolean() ? "true" : "false"}}); return;
    case ValueType::Null: w.empty("null"); return;
    case ValueType::String:
      EvalState::copyContext(v, context);
      w.empty("string", {{"value", std::string(v.string_view())}});
      return;
    case ValueType::Path: w.empty("path", {{"value", std::string(v.path()->view())}}); return;
    case ValueType::Attrs: {
      Bindings* b = v.attrs();
      if (st.isDerivation(v)) {
        XmlWriter::Attrs xa;
        std::string drvPath;
        if (auto* a = b->get(st.s.drvPath)) {
          st.forceValue(*a->value, a->pos);
          if (a->value->type() == ValueType::String) xa.emplace_back("drvPath", drvPath = std::string(a->value->string_view()));
        }
        if (auto* a = b->get(st.s.outPath)) {
          st.forceValue(*a->value, a->pos);
          if (a->value->type() == ValueType::String) xa.emplace_back("outPath", std::string(a->value->string_view()));
        }
        w.open("derivation", xa);
        if (drvPath.empty() || drvsSeen.insert(drvPath).second) attrs(b);
        else w.empty("repeated");
        w.close("derivation");
        return;
      }
      w.open("attrs");  // "<attrs>\n</attrs>" when empty, as Nix's XMLWriter
      attrs(b);
      w.close("attrs");
      return;
    }
    case ValueType::List:
      w.open("list");
      for (size_t i = 0; i < v.listSize(); ++i) print(*v.listElems()[i], pos);
      w.close("list");
      return;
    case ValueType::Lambda: {
      ExprLambda* l = v.lambda();
      XmlWriter::Attrs fa;
      posAttrs(fa, l->pos);
      w.open("function", fa);
      if (l->hasFormals) {
        XmlWriter::Attrs xa;
        if (l->ellipsis) xa.emplace_back("ellipsis", "1");
        if (l->arg) xa.emplace_back("name", std::string(st.name(l->arg)));
        w.open("attrspat", xa);
        std::vector<std::string> names;
        for (auto& f : l->formals) names.emplace_back(st.name(f.name));
        std::sort(names.begin(), names.end());
        for (auto& n : names) w.empty("attr", {{"name", n}});
        w.close("attrspat");
      } else {
        w.empty("varpat", {{"name", std::string(st.name(l->arg))}});
      }
      w.close("function");
      return;
    }
    case ValueType::PrimOp:
    case ValueType::PrimOpApp: w.empty("unevaluated"); return;
    default: w.empty("unevaluated"); return;
    }
  }
};

} // namespace

std::string printValueAsXml(EvalState& state, Value& v, bool location, std::set<std::string>& context, PosIdx pos) {
  std::string out = "<?xml version='1.0' encoding='utf-8'?>\n";
  ToXml x{state, XmlWriter{out, 0}, location, context, {}};
  x.w.open("expr");
  x.print(v, pos);
  x.w.close("expr");
  return out;
}

} // namespace nixpp
