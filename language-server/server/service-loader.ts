/**
 * Finds `createLanguageService`. It is implemented in `service-impl.ts` (or exported by
 * `service.ts` itself); until one of them provides it, the server answers with empty results
 * and says so in its log instead of failing to start.
 */
import type { FileSystemHost, LanguageService, ServiceSettings } from "../service";
import { createInertLanguageService } from "./inert-service";

export type LanguageServiceFactory = (
  host: FileSystemHost,
  settings?: Partial<ServiceSettings>,
) => LanguageService;

export interface LoadedFactory {
  factory: LanguageServiceFactory;
  /** Why the real service is not used, when it is not. */
  problem: string | undefined;
}

function factoryOf(module: unknown): LanguageServiceFactory | undefined {
  const factory = (module as { createLanguageService?: unknown } | undefined)?.createLanguageService;
  return typeof factory === "function" ? (factory as LanguageServiceFactory) : undefined;
}

// Literal require calls directly inside try: esbuild bundles the module when it exists and
// leaves a (failing, caught) runtime require when it does not.
function requireServiceImpl(): unknown {
  try {
    return require("../service-impl");
  } catch {
    return undefined;
  }
}

function requireServiceContract(): unknown {
  try {
    return require("../service");
  } catch {
    return undefined;
  }
}

export function loadLanguageServiceFactory(): LoadedFactory {
  const factory = factoryOf(requireServiceImpl()) ?? factoryOf(requireServiceContract());
  if (factory) return { factory, problem: undefined };
  return {
    factory: () => createInertLanguageService(),
    problem: "the language service is not available in this build; answering with empty results",
  };
}
