import { describeFaultSlice } from './faults.table';

// Slice 3 of the fault matrix (test/reliability/faults.table.ts says why the table runs in slices).
describeFaultSlice(3);
