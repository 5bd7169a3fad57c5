// The in-memory fake must behave like a real backend, or tests built on it prove nothing.
import { defineStorageBackendSuite } from '../conformance/storage-backend.suite.js';
import { MemoryBackend } from './memory-backend.js';

defineStorageBackendSuite('memory (test fake)', async () => ({ backend: new MemoryBackend(), cleanup: async () => {} }));
