export * from './activation.js';
export * from './http.js';
