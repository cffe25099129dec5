// The components validate with the project's one error type (lib/validation.ts).
export * from "../lib/validation";
