// The jobs entry: its names are added with the capability (docs/api.md lists them).
export {};
