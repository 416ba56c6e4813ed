"""A ``dask worker --preload`` for the tests: this worker claims another ``sume-async`` version."""

import sume_async.batch._dask_worker as worker_side

worker_side.__version__ = "0.0.0+other"
