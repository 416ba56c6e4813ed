"""A ``dask worker --preload`` for the tests: this worker claims another ``sume-async`` version
(to the driver's probe and to its own check)."""

import sume_async
import sume_async.batch._dask_worker as worker_side

sume_async.__version__ = "0.0.0+other"  # type: ignore[misc]
worker_side.__version__ = "0.0.0+other"
