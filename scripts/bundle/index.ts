// ncc's entry: the shared bundle is src/bundle.ts; this directory only carries the build's tsconfig.
export * from '../../src/bundle.ts';
