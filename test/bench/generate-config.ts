/**
 * Realistic thunder experiment configs of any size, for the benchmark and the fuzz test:
 * a parent import, ordinary imports, then blocks of assignments with calls, dicts, lists,
 * lambdas, comprehensions and function definitions, ending with the entries thunder reads.
 */

export interface GeneratedConfig {
  /** The child config (imports `base.config` from the same folder). */
  text: string;
  /** The parent config. */
  base: string;
  /** Number of blocks; block `i` defines `lr_i`, `batch_size_i`, `model_i`, ... */
  blocks: number;
}

export const baseConfig = `import torch

seed = 42
num_workers = 4
max_epochs = 10
device = "cuda" if torch.cuda.is_available() else "cpu"
`;

const header = `from .base import *

import torch
from torch import nn
from torch.optim import Adam
from torch.utils.data import DataLoader
from lightning import Trainer
from lightning.pytorch.loggers import WandbLogger
from thunder.placeholders import ExpName, GroupName

`;

function block(index: number): string {
  const previous = index === 0 ? "seed" : `batch_size_${index - 1}`;
  return `# ---- block ${index}
lr_${index} = 0.001 * (${index} + 1)
batch_size_${index} = 32
hidden_${index} = 128 + ${previous} % 7
layers_${index} = [nn.Linear(hidden_${index}, hidden_${index}), nn.ReLU(), nn.Dropout(p=0.1)]
model_${index} = nn.Sequential(*layers_${index})
optimizer_${index} = lambda params: Adam(params, lr=lr_${index}, weight_decay=1e-4)
augment_${index} = {
    "flip": True,
    "scale": (0.9, 1.1),
    "names": [name.upper() for name in ["train", "val"] if name],
}


def loss_${index}(pred, target):
    weight = batch_size_${index} / 32
    return weight * ((pred - target) ** 2).mean()


`;
}

const footer = (last: number) => `module = model_${last}
train_data = DataLoader(list(range(1000)), batch_size=batch_size_${last}, num_workers=num_workers)
val_data = DataLoader(list(range(100)), batch_size=batch_size_${last})
trainer = Trainer(
    max_epochs=max_epochs,
    logger=WandbLogger(name=ExpName, group=GroupName),
)
`;

const blockLines = block(0).split("\n").length - 1;
const headerLines = header.split("\n").length - 1;
const footerLines = footer(0).split("\n").length - 1;

/** A config of at least `lines` lines (rounded up to whole blocks). */
export function generateConfig(lines: number): GeneratedConfig {
  const blocks = Math.max(1, Math.ceil((lines - headerLines - footerLines) / blockLines));
  const parts = [header];
  for (let index = 0; index < blocks; index++) parts.push(block(index));
  parts.push(footer(blocks - 1));
  return { text: parts.join(""), base: baseConfig, blocks };
}

/** The 0-based line of `batch_size_{index} = 32` and the range of its value `32`. */
export function batchSizeValue(config: GeneratedConfig, index: number) {
  const line = headerLines + index * blockLines + 2;
  const prefix = `batch_size_${index} = `;
  return {
    line,
    range: {
      start: { line, character: prefix.length },
      end: { line, character: prefix.length + 2 },
    },
    lineText: config.text.split("\n")[line],
  };
}
