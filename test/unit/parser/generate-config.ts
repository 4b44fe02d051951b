/** A large, realistic lazycon config for the performance tests (deterministic). */
export function generateConfig(lines: number): string {
  const out: string[] = [
    "from .base import *",
    "import torch",
    "import numpy as np",
    "from torch import nn, optim",
    "from functools import partial",
    "from thunder.callbacks import TimeProfiler, MetricMonitor",
    "",
  ];
  let i = 0;
  while (out.length < lines) {
    switch (i % 8) {
      case 0:
        out.push(`learning_rate_${i} = 1e-3 * ${(i % 7) + 1}  # scaled by the batch size of this stage`);
        break;
      case 1:
        out.push(
          `layer_${i} = nn.Sequential(nn.Linear(${i % 512}, 256), nn.ReLU(), nn.Dropout(p=0.1), nn.Linear(256, 10))`,
        );
        break;
      case 2:
        out.push(
          `optimizer_${i} = partial(optim.AdamW, lr=learning_rate_${i - 2}, weight_decay=1e-4, betas=(0.9, 0.999))`,
        );
        break;
      case 3:
        out.push(
          `settings_${i} = {"batch_size": ${(i % 64) + 1}, "epochs": 100, "name": f"run-{learning_rate_${i - 3}}", "flags": [1, 2, 3]}`,
        );
        break;
      case 4:
        out.push(`transform_${i} = lambda x, scale=2.0: np.clip(x * scale, a_min=-1.0, a_max=1.0) + 0x1F`);
        break;
      case 5:
        out.push(`def augment_${i}(image, *, flip: bool = True, angle=15.0):`);
        out.push(`    rotated = np.rot90(image, k=int(angle // 90)) if flip else image`);
        out.push(`    return [rotated[:, ::-1], rotated[::2, 1:]]  # both views`);
        break;
      case 6:
        out.push(
          `callbacks_${i} = [TimeProfiler(), MetricMonitor(group_metrics={"loss": lambda y, p: (y - p) ** 2})]`,
        );
        break;
      case 7:
        out.push(`values_${i} = [x * 2 for x in range(${i % 100}) if x % 3 != 0]`);
        out.push("");
        break;
    }
    i++;
  }
  return `${out.slice(0, lines).join("\n")}\n`;
}
