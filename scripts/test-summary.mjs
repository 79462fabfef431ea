// Prints the test run's closing line, "Tests: N passed, N failed, N skipped", from vitest's JSON report.
import { existsSync, readFileSync } from 'node:fs';

const reportPath = process.argv[2] ?? 'test-results.json';
if (!existsSync(reportPath)) {
  console.log(`Tests: no report at ${reportPath} (the run stopped before the tests finished)`);
  process.exit(0);
}
const report = JSON.parse(readFileSync(reportPath, 'utf8'));
const skipped = (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
console.log(`Tests: ${report.numPassedTests} passed, ${report.numFailedTests} failed, ${skipped} skipped`);
