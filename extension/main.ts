// Extension entry point; the extension helper replaces this stub.
export function activate(): void {}
export function deactivate(): void {}
