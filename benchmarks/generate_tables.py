"""Large, realistic decision tables for benchmarking ``dtrun lint``, made the way
Calvanese et al. (2018, "Semantic DMN: formalizing and reasoning about decision tables")
made theirs:

1. draw random records over ``K`` input columns (numbers in ``[0..100]`` and strings
   from a few categories) with a class label that depends on some of the columns, plus
   noise;
2. grow a decision tree over them, CART-like (best-first: the leaf with the largest
   ``samples × Gini impurity`` is split next, on the threshold or category subset with
   the largest impurity decrease), until it has ``N`` leaves; a leaf that no data split
   can separate any more is cut on a random threshold or category subset, so that any
   ``N`` is reached;
3. turn each leaf into a rule: per numeric column an interval ``[a..b)`` (``[a..100]``
   at the top of the domain) or ``-``, per string column a list of categories or ``-``,
   and the leaf's majority class as the output.  The leaves partition the domain, so
   this table has neither overlaps nor gaps;
4. perturb 10% of the rules: one bound of one constrained column is moved by 5–50% of
   the interval's width (widening makes the rule overlap its neighbours, narrowing
   leaves a gap), or one category is added to (overlap) or removed from (gap) a list.

The result is written as a dtrun workbook (format 1): an ``Inputs`` sheet (numbers
``[0..100]``, strings with their allowed values, all required) and one table sheet
``generated`` with hit policy ``U``.  Everything is deterministic for a seed.

As a library::

    from generate_tables import generate, write_workbook
    table = generate(rules=1500, columns=9, seed=1)
    model = build_model("t.xlsx", table.sheets())       # engine.workbook.build_model
    write_workbook(table, "t.xlsx")

As a command::

    python benchmarks/generate_tables.py --rules 1500 --columns 9 --seed 1 -o t.xlsx
"""

from __future__ import annotations

import argparse
import heapq
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

LOW, HIGH = 0.0, 100.0  # the numeric domain [0..100]
SHEET = "generated"
OUTPUT = "decision"
CANDIDATES = 16  # thresholds tried per numeric column and split
PERTURBED = 0.10


@dataclass(frozen=True)
class ColumnSpec:
    name: str
    kind: str  # "number" or "string"
    categories: tuple[str, ...] = ()  # for strings

    @property
    def allowed(self) -> str:
        return "[0..100]" if self.kind == "number" else ",".join(f'"{c}"' for c in self.categories)


@dataclass
class Leaf:
    box: list[Any]  # per column: (low, high) for numbers, frozenset of category indexes for strings
    samples: np.ndarray
    label: int = 0


@dataclass
class GeneratedTable:
    columns: list[ColumnSpec]
    classes: tuple[str, ...]
    boxes: list[list[Any]]  # per rule, per column: (low, high) or frozenset (after perturbation)
    labels: list[int]
    perturbations: list[str] = field(default_factory=list)  # "R12 x3 upper 40.5 -> 47.1 (widen)"
    seed: int = 0

    @property
    def rule_ids(self) -> list[str]:
        return [f"R{i + 1}" for i in range(len(self.boxes))]

    def cell(self, column: int, part: Any) -> str:
        spec = self.columns[column]
        if spec.kind == "number":
            low, high = part
            if low <= LOW and high >= HIGH:
                return "-"
            return f"[{_num(low)}..{_num(high)}]" if high >= HIGH else f"[{_num(low)}..{_num(high)})"
        if len(part) == len(spec.categories):
            return "-"
        return ",".join(f'"{spec.categories[k]}"' for k in sorted(part))

    def rows(self) -> list[list[Any]]:
        """The table sheet's rows (A1 hit policy, headings, roles, allowed values, rules)."""
        rows: list[list[Any]] = [
            ["U", *(c.name for c in self.columns), OUTPUT],
            [None, *(["input"] * len(self.columns)), "output"],
            [None, *([None] * len(self.columns)), ",".join(f'"{c}"' for c in self.classes)],
        ]
        for rule_id, box, label in zip(self.rule_ids, self.boxes, self.labels):
            rows.append([rule_id, *(self.cell(k, part) for k, part in enumerate(box)), f'"{self.classes[label]}"'])
        return rows

    def inputs_rows(self) -> list[list[Any]]:
        return [["Name", "Type", "Allowed values", "Required"],
                *([c.name, c.kind, c.allowed, "yes"] for c in self.columns)]

    def sheets(self) -> dict[str, list[list[Any]]]:
        """Sheet name -> rows, as ``engine.workbook.build_model`` takes them."""
        return {"Inputs": self.inputs_rows(), SHEET: self.rows()}


def _num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}"


# ---------------------------------------------------------------------- data
def make_columns(count: int, rng: np.random.Generator) -> list[ColumnSpec]:
    """Two numeric columns for every string column (x1, x2 numbers, x3 string, ...)."""
    specs = []
    for k in range(count):
        name = f"x{k + 1}"
        if k % 3 == 2:
            size = int(rng.integers(3, 9))
            specs.append(ColumnSpec(name, "string", tuple(f"{name}_v{v}" for v in range(size))))
        else:
            specs.append(ColumnSpec(name, "number"))
    return specs


def make_data(columns: list[ColumnSpec], samples: int, classes: int,
              rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Random records (numbers uniform on [0, 100), category indexes uniform) and labels
    that depend on up to three columns, with 15% noise."""
    data = np.empty((samples, len(columns)))
    for k, spec in enumerate(columns):
        if spec.kind == "number":
            data[:, k] = rng.uniform(LOW, HIGH, samples)
        else:
            data[:, k] = rng.integers(0, len(spec.categories), samples)
    relevant = rng.choice(len(columns), size=min(3, len(columns)), replace=False)
    score = np.zeros(samples, dtype=np.int64)
    for k in relevant:
        if columns[k].kind == "number":
            score += (data[:, k] // rng.uniform(15, 45)).astype(np.int64)
        else:
            score += rng.integers(0, classes, len(columns[k].categories))[data[:, k].astype(np.int64)]
    labels = score % classes
    noise = rng.random(samples) < 0.15
    labels[noise] = rng.integers(0, classes, int(noise.sum()))
    return data, labels


# ---------------------------------------------------------------------- tree
def _gini_counts(counts: np.ndarray) -> np.ndarray:
    """Weighted impurity n * gini for each row of class counts."""
    n = counts.sum(axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        g = n - np.where(n > 0, (counts ** 2).sum(axis=-1) / np.maximum(n, 1), 0)
    return g


def _best_split(leaf: Leaf, columns: list[ColumnSpec], data: np.ndarray, onehot: np.ndarray
                ) -> tuple[float, int, Any] | None:
    """(impurity decrease, column, threshold or left category set) of the best data split."""
    idx = leaf.samples
    if len(idx) < 2:
        return None
    y = onehot[idx]
    parent = float(_gini_counts(y.sum(axis=0)))
    best: tuple[float, int, Any] | None = None
    for k, spec in enumerate(columns):
        values = data[idx, k]
        if spec.kind == "number":
            low, high = leaf.box[k]
            quantiles = np.quantile(values, np.linspace(0, 1, CANDIDATES + 2)[1:-1])
            thresholds = np.unique(np.round(quantiles, 1))
            thresholds = thresholds[(thresholds > low) & (thresholds < high)]
            if not len(thresholds):
                continue
            left = values[None, :] < thresholds[:, None]
            left_counts = left.astype(np.float64) @ y
            right_counts = y.sum(axis=0)[None, :] - left_counts
            n_left = left_counts.sum(axis=1)
            ok = (n_left > 0) & (n_left < len(idx))
            if not ok.any():
                continue
            gain = parent - _gini_counts(left_counts) - _gini_counts(right_counts)
            gain[~ok] = -1
            j = int(np.argmax(gain))
            if gain[j] >= 0 and (best is None or gain[j] > best[0]):
                best = (float(gain[j]), k, float(thresholds[j]))
        else:
            present = sorted(leaf.box[k])
            if len(present) < 2:
                continue
            codes = values.astype(np.int64)
            counts = np.zeros((len(spec.categories), y.shape[1]))
            np.add.at(counts, codes, y)
            majority = int(np.argmax(y.sum(axis=0)))
            share = counts[:, majority] / np.maximum(counts.sum(axis=1), 1)
            order = sorted(present, key=lambda c: (share[c], c))
            for cut in range(1, len(order)):
                left_set = order[:cut]
                left_counts = counts[left_set].sum(axis=0)
                n_left = left_counts.sum()
                if n_left == 0 or n_left == len(idx):
                    continue
                gain = parent - float(_gini_counts(left_counts)) - float(_gini_counts(y.sum(axis=0) - left_counts))
                if best is None or gain > best[0]:
                    best = (gain, k, frozenset(left_set))
    return best


def _random_split(leaf: Leaf, columns: list[ColumnSpec], rng: np.random.Generator) -> tuple[int, Any] | None:
    options = []
    for k, spec in enumerate(columns):
        if spec.kind == "number":
            low, high = leaf.box[k]
            if high - low >= 0.2:
                options.append(k)
        elif len(leaf.box[k]) >= 2:
            options.append(k)
    if not options:
        return None
    k = int(rng.choice(options))
    if columns[k].kind == "number":
        low, high = leaf.box[k]
        threshold = round(float(rng.uniform(low + 0.1, high - 0.1)), 1)
        return k, min(max(threshold, low + 0.1), high - 0.1)
    present = sorted(leaf.box[k])
    cut = int(rng.integers(1, len(present)))
    chosen = rng.permutation(present)[:cut]
    return k, frozenset(int(c) for c in chosen)


def _apply(leaf: Leaf, k: int, split: Any, columns: list[ColumnSpec], data: np.ndarray) -> tuple[Leaf, Leaf]:
    values = data[leaf.samples, k]
    left_box, right_box = list(leaf.box), list(leaf.box)
    if columns[k].kind == "number":
        low, high = leaf.box[k]
        left_box[k], right_box[k] = (low, split), (split, high)
        mask = values < split
    else:
        left_box[k], right_box[k] = frozenset(split), frozenset(leaf.box[k] - split)
        mask = np.isin(values.astype(np.int64), list(split))
    return Leaf(left_box, leaf.samples[mask]), Leaf(right_box, leaf.samples[~mask])


def grow_tree(columns: list[ColumnSpec], data: np.ndarray, labels: np.ndarray, classes: int, leaves: int,
              rng: np.random.Generator) -> list[Leaf]:
    """Best-first CART-like growth until ``leaves`` leaves; returns them in tree order."""
    onehot = np.eye(classes)[labels]
    root = Leaf([(LOW, HIGH) if c.kind == "number" else frozenset(range(len(c.categories))) for c in columns],
                np.arange(len(labels)))
    order = 0  # tie-breaker, and the leaves' left-to-right order via their path keys
    heap: list[tuple[float, int, tuple[int, ...], Leaf, Any]] = []

    def push(leaf: Leaf, path: tuple[int, ...]) -> None:
        nonlocal order
        split = _best_split(leaf, columns, data, onehot)
        gain = split[0] if split else -1.0
        heapq.heappush(heap, (-gain, order, path, leaf, split))
        order += 1

    push(root, ())
    done: list[tuple[tuple[int, ...], Leaf]] = []
    while heap and len(heap) + len(done) < leaves:
        _, _, path, leaf, split = heapq.heappop(heap)
        if split is not None and split[0] > 0:
            k, where = split[1], split[2]
        else:
            chosen = _random_split(leaf, columns, rng)
            if chosen is None:
                done.append((path, leaf))
                continue
            k, where = chosen
        left, right = _apply(leaf, k, where, columns, data)
        push(left, path + (0,))
        push(right, path + (1,))
    result = sorted([(p, leaf) for _, _, p, leaf, _ in heap] + done, key=lambda item: item[0])
    leaves_out = [leaf for _, leaf in result]
    for leaf in leaves_out:
        if len(leaf.samples):
            leaf.label = int(np.bincount(labels[leaf.samples], minlength=classes).argmax())
        else:
            leaf.label = int(rng.integers(0, classes))
    return leaves_out


# ---------------------------------------------------------------------- perturbation
def perturb(table: GeneratedTable, share: float, rng: np.random.Generator) -> None:
    """Move one bound (or one category) of ``share`` of the rules."""
    count = int(round(share * len(table.boxes)))
    chosen = sorted(int(i) for i in rng.choice(len(table.boxes), size=count, replace=False))
    for i in chosen:
        box = table.boxes[i]
        constrained = [k for k, spec in enumerate(table.columns) if table.cell(k, box[k]) != "-"]
        if not constrained:
            continue
        k = int(rng.choice(constrained))
        spec = table.columns[k]
        rid = f"R{i + 1}"
        if spec.kind == "number":
            low, high = box[k]
            sides = [s for s, edge in (("lower", low > LOW), ("upper", high < HIGH)) if edge]
            side = str(rng.choice(sides))
            width = high - low
            delta = max(0.1, round(float(rng.uniform(0.05, 0.5)) * width, 1))
            widen = bool(rng.random() < 0.5)
            if side == "lower":
                new = max(LOW, low - delta) if widen else min(high - 0.1, low + delta)
                box[k] = (round(new, 1), high)
                table.perturbations.append(f"{rid} {spec.name} lower {_num(low)} -> {_num(box[k][0])} "
                                           f"({'widen' if widen else 'narrow'})")
            else:
                new = min(HIGH, high + delta) if widen else max(low + 0.1, high - delta)
                box[k] = (low, round(new, 1))
                table.perturbations.append(f"{rid} {spec.name} upper {_num(high)} -> {_num(box[k][1])} "
                                           f"({'widen' if widen else 'narrow'})")
        else:
            present = set(box[k])
            missing = sorted(set(range(len(spec.categories))) - present)
            if missing and (len(present) < 2 or rng.random() < 0.5):
                added = int(rng.choice(missing))
                box[k] = frozenset(present | {added})
                table.perturbations.append(f"{rid} {spec.name} + {spec.categories[added]} (widen)")
            else:
                removed = int(rng.choice(sorted(present)))
                box[k] = frozenset(present - {removed})
                table.perturbations.append(f"{rid} {spec.name} - {spec.categories[removed]} (narrow)")


def generate(rules: int = 1500, columns: int = 9, seed: int = 0, classes: int = 5,
             perturbed: float = PERTURBED, samples: int | None = None) -> GeneratedTable:
    """A table of ``rules`` rules over ``columns`` inputs, deterministic for ``seed``."""
    if rules < 1 or columns < 1:
        raise ValueError("rules and columns must be positive")
    rng = np.random.default_rng(seed)
    specs = make_columns(columns, rng)
    data, labels = make_data(specs, samples or 10 * rules + 100, classes, rng)
    leaves = grow_tree(specs, data, labels, classes, rules, rng)
    table = GeneratedTable(specs, tuple(f"class_{c}" for c in range(classes)),
                           [list(leaf.box) for leaf in leaves], [leaf.label for leaf in leaves], seed=seed)
    perturb(table, perturbed, rng)
    return table


def write_workbook(table: GeneratedTable, path: str | Path) -> Path:
    """Write the table as a dtrun workbook (cells as text, as an author would type them)."""
    import openpyxl

    book = openpyxl.Workbook(write_only=True)
    for name, rows in table.sheets().items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    path = Path(path)
    book.save(path)
    return path


def generate_workbook(path: str | Path, rules: int = 1500, columns: int = 9, seed: int = 0) -> GeneratedTable:
    table = generate(rules, columns, seed)
    write_workbook(table, path)
    return table


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rules", type=int, default=1500, help="number of rules (tree leaves), default 1500")
    parser.add_argument("--columns", type=int, default=9, help="number of input columns, default 9")
    parser.add_argument("--seed", type=int, default=0, help="random seed, default 0")
    parser.add_argument("-o", "--output", required=True, help="the .xlsx workbook to write")
    args = parser.parse_args(argv)
    table = generate_workbook(args.output, args.rules, args.columns, args.seed)
    print(f"{args.output}: {len(table.boxes)} rules x {len(table.columns)} columns "
          f"({sum(c.kind == 'number' for c in table.columns)} numeric), seed {args.seed}, "
          f"{len(table.perturbations)} rules perturbed")


if __name__ == "__main__":
    main()
