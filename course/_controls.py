"""Accessible controls for quizzes and explorers, drawn with plain HTML form elements.

ipywidgets' own radio buttons, tick boxes and sliders cannot be named for a screen reader (the
radio buttons share no group, a slider handle has no label) and cut long option text to one line.
These few controls are anywidget modules of plain HTML: a ``<fieldset>`` whose ``<legend>`` names
the question, native radio buttons (one Tab stop, arrow keys move, Space selects) and tick boxes
(Tab and Space) whose text wraps, ``<input type="range">`` sliders with a ``<label>``, an ``<img>``
with a text alternative, and a polite live region that reads feedback aloud. In Python they behave
like ipywidgets: a ``value`` trait to read, set and ``observe``.
"""

from __future__ import annotations

from typing import Any

import anywidget
import traitlets as t

__all__ = ["Choices", "IntSlider", "Live", "Picture", "RangeSlider", "Slider"]

_CSS = """
.course-choices{border:0;margin:0 0 6px;padding:0;min-width:0;max-width:52em;color:var(--jp-content-font-color1,#111)}
.course-choices legend{padding:0 0 6px;line-height:1.45;font-size:var(--jp-content-font-size1,14px)}
.course-choices label{display:flex;gap:.6em;align-items:baseline;padding:3px 0;line-height:1.45;
  white-space:normal;overflow-wrap:anywhere;cursor:pointer;font-size:var(--jp-content-font-size1,14px)}
.course-choices input{flex:none;margin:0;transform:translateY(2px)}
.course-choices input:focus-visible,.course-range input:focus-visible{outline:2px solid #0072B2;outline-offset:2px}
.course-range{display:grid;grid-template-columns:minmax(10em,max-content) minmax(12em,24em) minmax(5em,max-content);
  gap:4px 10px;align-items:center;margin:2px 0;color:var(--jp-content-font-color1,#111);
  font-size:var(--jp-content-font-size1,14px);line-height:1.45}
.course-range fieldset{display:contents}
.course-range legend{grid-column:1/-1;padding:0}
.course-range input{width:100%;margin:0;accent-color:#0072B2}
.course-range output{font-variant-numeric:tabular-nums}
.course-live{line-height:1.45;max-width:52em;color:var(--jp-content-font-color1,#111)}
.course-picture img{max-width:100%;height:auto;display:block}
"""

_ESM = """
const uid = () => "course-" + Math.random().toString(36).slice(2, 10);
// Keys pressed in a control belong to it: JupyterLab must not read ArrowDown as "next cell". Lumino
// stops looking for a shortcut at an element with this attribute, so every input carries it.
const own = (node) => { node.setAttribute("data-lm-suppress-shortcuts", "true"); return node; };
const format = (model, v) => Number(v).toLocaleString("en-GB",
  {minimumFractionDigits: model.get("decimals"), maximumFractionDigits: model.get("decimals"),
   useGrouping: model.get("grouping")});
const say = (model, v) => format(model, v) + (model.get("unit") ? " " + model.get("unit") : "");

function choices({ model, el }) {
  const box = document.createElement("fieldset");
  box.className = "course-choices";
  const legend = document.createElement("legend");
  const id = document.createElement("b");
  id.textContent = model.get("qid");
  legend.append(id, " " + model.get("prompt"));
  box.append(legend);
  const name = uid();
  const inputs = model.get("options").map((text, i) => {
    const label = document.createElement("label");
    const input = own(document.createElement("input"));
    input.type = model.get("multiple") ? "checkbox" : "radio";
    input.name = name;
    input.value = model.get("letters")[i];
    const span = document.createElement("span");
    span.textContent = text;
    label.append(input, span);
    box.append(label);
    return input;
  });
  const send = () => { model.set("selected", inputs.filter(x => x.checked).map(x => x.value)); model.save_changes(); };
  inputs.forEach(x => x.addEventListener("change", send));
  const show = () => { const s = model.get("selected"); inputs.forEach(x => { x.checked = s.includes(x.value); }); };
  show();
  model.on("change:selected", show);
  el.append(own(box));
}

function range(model, input, key, index) {
  const read = () => { const v = model.get(key); return index === null ? v : v[index]; };
  const show = () => { input.value = read(); input.setAttribute("aria-valuetext", say(model, read())); };
  show();
  model.on("change:" + key, show);
  return show;
}

function slider({ model, el }) {
  const row = document.createElement("div");
  row.className = "course-range";
  const label = document.createElement("label");
  const input = own(document.createElement("input"));
  const out = document.createElement("output");
  input.type = "range";
  input.id = label.htmlFor = uid();
  out.htmlFor = input.id;
  out.setAttribute("aria-live", "off");  // the slider itself announces its value
  label.textContent = model.get("description");
  for (const k of ["min", "max", "step"]) input[k] = model.get(k);
  const update = () => { out.textContent = say(model, model.get("value")); };
  range(model, input, "value", null);
  update();
  model.on("change:value", update);
  input.addEventListener("input", () => { model.set("value", Number(input.value)); model.save_changes(); update(); });
  row.append(label, input, out);
  el.append(own(row));
}

function rangeslider({ model, el }) {
  const row = document.createElement("div");
  row.className = "course-range";
  const box = document.createElement("fieldset");
  const legend = document.createElement("legend");
  legend.textContent = model.get("description");
  box.append(legend);
  const out = document.createElement("output");
  out.setAttribute("aria-live", "off");
  const update = () => { const [a, b] = model.get("value"); out.textContent = say(model, a) + " to " + say(model, b); };
  ["lowest", "highest"].forEach((which, i) => {
    const label = document.createElement("label");
    const input = own(document.createElement("input"));
    input.type = "range";
    input.id = label.htmlFor = uid();
    label.textContent = which;
    input.setAttribute("aria-label", model.get("description") + ": " + which);
    for (const k of ["min", "max", "step"]) input[k] = model.get(k);
    range(model, input, "value", i);
    input.addEventListener("input", () => {
      const v = [...model.get("value")];
      v[i] = Number(input.value);
      if (v[0] > v[1]) v[1 - i] = v[i];  // the two ends may meet, never cross
      model.set("value", v); model.save_changes(); update();
    });
    box.append(label, input);
    if (i === 0) box.append(document.createElement("span"));
  });
  box.append(out);
  update();
  model.on("change:value", update);
  row.append(box);
  el.append(own(row));
}

function picture({ model, el }) {
  el.classList.add("course-picture");
  const img = document.createElement("img");
  let url = null;
  const show = () => {
    if (url) URL.revokeObjectURL(url);
    url = URL.createObjectURL(new Blob([model.get("value")], { type: "image/png" }));
    img.src = url;
    img.alt = model.get("alt");
    if (model.get("width")) img.width = model.get("width");
  };
  show();
  model.on("change:value", show);
  model.on("change:alt", () => { img.alt = model.get("alt"); });
  el.append(img);
  return () => { if (url) URL.revokeObjectURL(url); };
}

function live({ model, el }) {
  const box = document.createElement("div");
  box.className = "course-live";
  box.setAttribute("role", "status");
  box.setAttribute("aria-live", "polite");
  const show = () => { box.innerHTML = model.get("value"); };
  show();
  model.on("change:value", show);
  el.append(box);
}

const views = { choices, slider, rangeslider, picture, live };
export default { render(ctx) { return views[ctx.model.get("_kind")](ctx); } };
"""


class _Control(anywidget.AnyWidget):
    _esm = _ESM
    _css = _CSS
    _kind = t.Unicode().tag(sync=True)


class Choices(_Control):
    """A question's options as a labelled group: radio buttons (one answer) or tick boxes (several).

    ``selected`` holds the chosen letters; for one answer :attr:`value` is that letter or None, and
    for several :attr:`inputs` gives one object per option whose ``value`` is True when ticked.
    """

    _kind = t.Unicode("choices").tag(sync=True)
    qid = t.Unicode().tag(sync=True)
    prompt = t.Unicode().tag(sync=True)
    options = t.List(t.Unicode()).tag(sync=True)
    letters = t.List(t.Unicode()).tag(sync=True)
    multiple = t.Bool(False).tag(sync=True)
    selected = t.List(t.Unicode()).tag(sync=True)

    @property
    def value(self) -> Any:
        if self.multiple:
            return [x for x in self.letters if x in self.selected]
        return self.selected[0] if self.selected else None

    @value.setter
    def value(self, value: Any) -> None:
        chosen = [] if value is None else [value] if isinstance(value, str) else list(value)
        self.selected = [x for x in self.letters if x in chosen]

    @property
    def inputs(self) -> list["_Option"]:
        return [_Option(self, letter, text) for letter, text in zip(self.letters, self.options)]


class _Option:
    """One tick box of a :class:`Choices`: ``value`` is True when its letter is chosen."""

    def __init__(self, group: Choices, letter: str, description: str) -> None:
        self.group, self.letter, self.description = group, letter, description

    @property
    def value(self) -> bool:
        return self.letter in self.group.selected

    @value.setter
    def value(self, on: bool) -> None:
        rest = [x for x in self.group.selected if x != self.letter]
        self.group.value = rest + ([self.letter] if on else [])


class _Range(_Control):
    description = t.Unicode().tag(sync=True)
    unit = t.Unicode("").tag(sync=True)
    decimals = t.Int(0).tag(sync=True)
    grouping = t.Bool(True).tag(sync=True)

    def __init__(self, *, fmt: str = "", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        # a Python format such as ".2f", ",.0f" or "d", read as decimals and thousands grouping
        digits = "".join(ch for ch in fmt.split(".")[-1] if ch.isdigit()) if "." in fmt else ""
        self.decimals = int(digits) if digits else 0 if isinstance(self.step, int) or float(self.step).is_integer() else 2
        self.grouping = "," in fmt or not fmt


class Slider(_Range):
    """A labelled ``<input type="range">`` for a number (arrow keys step, Home and End go to the ends)."""

    _kind = t.Unicode("slider").tag(sync=True)
    value = t.Float(0.0).tag(sync=True)
    min = t.Float(0.0).tag(sync=True)
    max = t.Float(1.0).tag(sync=True)
    step = t.Float(0.01).tag(sync=True)

    @t.validate("value")
    def _clamp(self, proposal: Any) -> float:
        return min(max(float(proposal["value"]), self.min), self.max)


class IntSlider(Slider):
    """A :class:`Slider` for whole numbers."""

    value = t.Int(0).tag(sync=True)
    min = t.Int(0).tag(sync=True)
    max = t.Int(100).tag(sync=True)
    step = t.Int(1).tag(sync=True)

    @t.validate("value")
    def _clamp(self, proposal: Any) -> int:
        return int(min(max(round(float(proposal["value"])), self.min), self.max))


class RangeSlider(_Range):
    """Two labelled sliders, lowest and highest, for a range; ``value`` is ``(low, high)``."""

    _kind = t.Unicode("rangeslider").tag(sync=True)
    value = t.Tuple(t.Float(), t.Float(), default_value=(0.0, 1.0)).tag(sync=True)
    min = t.Float(0.0).tag(sync=True)
    max = t.Float(1.0).tag(sync=True)
    step = t.Float(0.01).tag(sync=True)

    @t.validate("value")
    def _order(self, proposal: Any) -> tuple[float, float]:
        low, high = sorted(min(max(float(v), self.min), self.max) for v in proposal["value"])
        return (low, high)


class Picture(_Control):
    """A PNG shown as an ``<img>`` with a text alternative (``alt``) that says what it shows."""

    _kind = t.Unicode("picture").tag(sync=True)
    value = t.Bytes(b"").tag(sync=True)
    alt = t.Unicode().tag(sync=True)
    width = t.Int(0).tag(sync=True)


class Live(_Control):
    """HTML that a screen reader reads aloud when it changes (a polite live region)."""

    _kind = t.Unicode("live").tag(sync=True)
    value = t.Unicode("").tag(sync=True)
