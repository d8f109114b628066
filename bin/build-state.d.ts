export declare function staleBuildOutputs(root: string): string[];
export declare function cliEntry(root: string): "dist" | "src";
