/** Generated configs for timing and differential tests. */

/** A realistic generated config of about `lines` lines, with some mistakes sprinkled in. */
export function generatedConfig(lines: number, withMistakes: boolean): string {
  const out: string[] = ["import torch", "from torch import nn", "from lightning import Trainer", ""];
  let i = 0;
  while (out.length < lines) {
    out.push(`lr_${i} = 1e-3 * ${i}`);
    out.push(`layers_${i} = [nn.Linear(${i}, w) for w in range(3) if w > lr_${i}]`);
    out.push(`config_${i} = dict(`);
    out.push(`    lr=lr_${i},`);
    out.push(`    name="item-${i}",`);
    out.push(")");
    out.push(`def build_${i}(x, scale=lr_${i}):`);
    out.push("    y = x * scale");
    out.push(`    return torch.relu(y) + layers_${i}[0](y)`);
    if (withMistakes && i % 50 === 7) out.push(`oops_${i} = undefined_${i} + lr_${i}`);
    out.push("");
    i++;
  }
  out.push("trainer = Trainer()", "module = build_0", "train_data = []");
  return `${out.join("\n")}\n`;
}
