// Reads a DMN file with dmn-moddle and prints what it saw as JSON:
// {"warnings": [...], "decisions": {"name": ["rule id", ...]}, "inputData": [...]}
import { readFileSync } from "node:fs";
import { DmnModdle } from "dmn-moddle";

const xml = readFileSync(process.argv[2], "utf8");
const moddle = new DmnModdle();
const { rootElement, warnings } = await moddle.fromXML(xml, "dmn:Definitions");
const decisions = {};
const inputData = [];
for (const element of rootElement.drgElement || []) {
  if (element.$type === "dmn:Decision") {
    const logic = element.decisionLogic;
    decisions[element.name] = {
      hitPolicy: logic && logic.hitPolicy,
      aggregation: logic && logic.aggregation,
      inputs: ((logic && logic.input) || []).map((i) => i.inputExpression && i.inputExpression.text),
      outputs: ((logic && logic.output) || []).map((o) => o.name),
      rules: ((logic && logic.rule) || []).map((r) => r.id),
      requirements: (element.informationRequirement || []).length,
    };
  } else if (element.$type === "dmn:InputData") {
    inputData.push(element.name);
  }
}
const shapes = ((rootElement.dmnDI && rootElement.dmnDI.diagrams) || []).flatMap((d) => d.diagramElements || []);
console.log(JSON.stringify({
  warnings: warnings.map((w) => w.message),
  name: rootElement.name,
  decisions,
  inputData,
  shapes: shapes.length,
}));
