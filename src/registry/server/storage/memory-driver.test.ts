import { MemoryDriver } from './memory-driver.js';
import { driverSuite } from './driver-suite.js';

driverSuite('MemoryDriver', () => new MemoryDriver());
