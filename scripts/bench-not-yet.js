console.log('Benchmarks are not written yet (see the benchmark issue).');
