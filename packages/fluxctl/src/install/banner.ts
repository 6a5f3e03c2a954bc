/** What fluxctl 1.25 prints to stderr before `install` does anything else. */
export const FLUX_V1_DEPRECATION_BANNER: string = `**Flux v1 is deprecated, please upgrade to v2 as soon as possible!**

New users of Flux can Get Started here:
https://fluxcd.io/flux/get-started/

Existing users can upgrade using the Migration Guide:
https://fluxcd.io/flux/migration/

`;
