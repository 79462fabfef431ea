export { PythonException, PythonLoadError } from './errors.js';
export { type PythonApplicationOptions, type PythonMount, pythonApplication } from './python-application.js';
