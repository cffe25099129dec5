/**
 * The AWS SDK, loaded on first use. Loading @aws-sdk/client-ssm takes longer than everything else
 * `patchctl --help` or a usage error needs, so no module that main.ts loads imports SDK values at
 * the top: they take them from here inside the async functions that call AWS (types are imported
 * as usual: they cost nothing at run time).
 *
 * The module is kept once loaded: compiled to CommonJS, each `import()` copies every export of the
 * SDK (__importStar), which per page of a large report cost more CPU than the call itself.
 */
let ssm: Promise<typeof import("@aws-sdk/client-ssm")> | undefined;

export const ssmSdk = (): Promise<typeof import("@aws-sdk/client-ssm")> => (ssm ??= import("@aws-sdk/client-ssm"));
