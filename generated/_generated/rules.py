"""Every rule the snapshot states about a request, as JSON Schema: per operationId, its
parameters and its JSON body (``$ref`` inlined). Generated from ``openapi/openapi.json`` by
``scripts/generate.py``; the SDK's checks, the mock, the CLI and the MCP tools all read it."""

from typing import Any

OPERATIONS: dict[str, dict[str, Any]] = {
    "createAdsVideo": {
        "body": {
            "properties": {
                "aspect_ratio": {
                    "description": "Width:height, e.g. 9:16.",
                    "examples": ["9:16"],
                    "maxLength": 20,
                    "pattern": "^[1-9][0-9]{0,3}:[1-9][0-9]{0,3}$",
                    "type": "string",
                },
                "avatar_id": {
                    "description": "An avatar id (see `listAvatars`).",
                    "maxLength": 256,
                    "minLength": 1,
                    "pattern": "^(?!\\.+$)[^\\s\\u0000-\\u001f\\u007f]+$",
                    "type": "string",
                },
                "product_image_url": {
                    "description": "An HTTPS URL of the product image.",
                    "format": "uri",
                    "maxLength": 8192,
                    "pattern": "^https://",
                    "type": "string",
                },
                "reference_image_urls": {
                    "description": "HTTPS URLs.",
                    "items": {"format": "uri", "maxLength": 8192, "pattern": "^https://", "type": "string"},
                    "maxItems": 100,
                    "type": "array",
                },
                "script": {
                    "description": "What the avatar says.",
                    "maxLength": 100000,
                    "minLength": 1,
                    "pattern": "\\S",
                    "type": "string",
                },
                "style": {"enum": ["talking_head", "ugc"], "type": "string"},
            },
            "required": ["avatar_id", "script"],
            "type": "object",
        },
        "method": "POST",
        "parameters": {
            "Idempotency-Key": {
                "in": "header",
                "required": False,
                "schema": {"maxLength": 255, "minLength": 1, "pattern": "^[!-~]+$", "type": "string"},
            }
        },
        "path": "/ads/videos",
    },
    "createAsset": {
        "body": {
            "properties": {
                "object_key": {"maxLength": 4096, "minLength": 1, "pattern": "\\S", "type": "string"},
                "title": {"maxLength": 1000, "minLength": 1, "pattern": "\\S", "type": "string"},
            },
            "required": ["object_key"],
            "type": "object",
        },
        "method": "POST",
        "parameters": {
            "Idempotency-Key": {
                "in": "header",
                "required": False,
                "schema": {"maxLength": 255, "minLength": 1, "pattern": "^[!-~]+$", "type": "string"},
            }
        },
        "path": "/assets",
    },
    "createFaceSwap": {
        "body": {
            "properties": {
                "avatar_ids": {
                    "description": "Avatar ids, one job each.",
                    "items": {
                        "maxLength": 256,
                        "minLength": 1,
                        "pattern": "^(?!\\.+$)[^\\s\\u0000-\\u001f\\u007f]+$",
                        "type": "string",
                    },
                    "maxItems": 10,
                    "minItems": 1,
                    "type": "array",
                },
                "media_url": {
                    "description": "The `media_url` of a `face_swap_source_video` upload.",
                    "maxLength": 8192,
                    "minLength": 1,
                    "pattern": "\\S",
                    "type": "string",
                },
            },
            "required": ["media_url", "avatar_ids"],
            "type": "object",
        },
        "method": "POST",
        "parameters": {
            "Idempotency-Key": {
                "in": "header",
                "required": False,
                "schema": {"maxLength": 255, "minLength": 1, "pattern": "^[!-~]+$", "type": "string"},
            }
        },
        "path": "/face-swap",
    },
    "createImageGeneration": {
        "body": {
            "properties": {
                "aspect_ratio": {
                    "description": "Width:height, e.g. 9:16.",
                    "examples": ["1:1", "4:5", "9:16"],
                    "maxLength": 20,
                    "pattern": "^[1-9][0-9]{0,3}:[1-9][0-9]{0,3}$",
                    "type": "string",
                },
                "image_count": {"description": "Images to make.", "maximum": 10, "minimum": 1, "type": "integer"},
                "prompt": {
                    "description": "What to generate.",
                    "maxLength": 100000,
                    "minLength": 1,
                    "pattern": "\\S",
                    "type": "string",
                },
                "quality": {
                    "description": "Output quality.",
                    "maxLength": 20,
                    "minLength": 1,
                    "pattern": "\\S",
                    "type": "string",
                },
                "reference_image_urls": {
                    "description": "HTTPS URLs.",
                    "items": {"format": "uri", "maxLength": 8192, "pattern": "^https://", "type": "string"},
                    "maxItems": 100,
                    "type": "array",
                },
                "resolution": {
                    "description": "Output resolution.",
                    "maxLength": 20,
                    "minLength": 1,
                    "pattern": "\\S",
                    "type": "string",
                },
            },
            "required": ["prompt"],
            "type": "object",
        },
        "method": "POST",
        "parameters": {
            "Idempotency-Key": {
                "in": "header",
                "required": False,
                "schema": {"maxLength": 255, "minLength": 1, "pattern": "^[!-~]+$", "type": "string"},
            }
        },
        "path": "/images/generations",
    },
    "createReferenceAnalysis": {
        "body": {
            "description": "A public TikTok or Instagram Reel URL.",
            "properties": {
                "url": {
                    "description": "A public TikTok or Instagram Reel URL.",
                    "format": "uri",
                    "maxLength": 8192,
                    "pattern": "^https://",
                    "type": "string",
                }
            },
            "required": ["url"],
            "type": "object",
        },
        "method": "POST",
        "parameters": {
            "Idempotency-Key": {
                "in": "header",
                "required": False,
                "schema": {"maxLength": 255, "minLength": 1, "pattern": "^[!-~]+$", "type": "string"},
            }
        },
        "path": "/reference-analysis",
    },
    "createUploadPresign": {
        "body": {
            "properties": {
                "content_type": {"maxLength": 255, "minLength": 1, "pattern": "\\S", "type": "string"},
                "filename": {"maxLength": 1000, "minLength": 1, "pattern": "\\S", "type": "string"},
                "purpose": {"enum": ["asset_library_video", "face_swap_source_video"], "type": "string"},
                "size_bytes": {"minimum": 1, "type": "integer"},
            },
            "required": ["filename", "content_type", "size_bytes", "purpose"],
            "type": "object",
        },
        "method": "POST",
        "parameters": {
            "Idempotency-Key": {
                "in": "header",
                "required": False,
                "schema": {"maxLength": 255, "minLength": 1, "pattern": "^[!-~]+$", "type": "string"},
            }
        },
        "path": "/uploads/presign",
    },
    "createVideoGeneration": {
        "body": {
            "properties": {
                "aspect_ratio": {
                    "description": "Width:height, e.g. 9:16.",
                    "examples": ["9:16"],
                    "maxLength": 20,
                    "pattern": "^[1-9][0-9]{0,3}:[1-9][0-9]{0,3}$",
                    "type": "string",
                },
                "duration": {"description": "Seconds.", "maximum": 15, "minimum": 4, "type": "integer"},
                "generate_audio": {"description": "Generate an audio track.", "type": "boolean"},
                "prompt": {
                    "description": "What to generate.",
                    "maxLength": 100000,
                    "minLength": 1,
                    "pattern": "\\S",
                    "type": "string",
                },
                "resolution": {"enum": ["480p", "720p"], "type": "string"},
            },
            "required": ["prompt"],
            "type": "object",
        },
        "method": "POST",
        "parameters": {
            "Idempotency-Key": {
                "in": "header",
                "required": False,
                "schema": {"maxLength": 255, "minLength": 1, "pattern": "^[!-~]+$", "type": "string"},
            }
        },
        "path": "/videos/generations",
    },
    "getAsset": {
        "body": None,
        "method": "GET",
        "parameters": {
            "assetId": {"in": "path", "required": True, "schema": {"maxLength": 256, "minLength": 1, "type": "string"}},
            "q": {
                "in": "query",
                "required": False,
                "schema": {"maxLength": 2000, "minLength": 1, "pattern": "\\S", "type": "string"},
            },
            "search_mode": {"in": "query", "required": False, "schema": {"enum": ["auto", "text"], "type": "string"}},
            "search_score": {"in": "query", "required": False, "schema": {"type": "number"}},
        },
        "path": "/assets/{assetId}",
    },
    "getAvatar": {
        "body": None,
        "method": "GET",
        "parameters": {
            "avatarId": {"in": "path", "required": True, "schema": {"maxLength": 256, "minLength": 1, "type": "string"}}
        },
        "path": "/avatars/{avatarId}",
    },
    "getCredits": {"body": None, "method": "GET", "parameters": {}, "path": "/credits"},
    "getCurrentBrand": {"body": None, "method": "GET", "parameters": {}, "path": "/brand/current"},
    "getJob": {
        "body": None,
        "method": "GET",
        "parameters": {
            "jobId": {"in": "path", "required": True, "schema": {"maxLength": 256, "minLength": 1, "type": "string"}}
        },
        "path": "/jobs/{jobId}",
    },
    "getJobResult": {
        "body": None,
        "method": "GET",
        "parameters": {
            "jobId": {"in": "path", "required": True, "schema": {"maxLength": 256, "minLength": 1, "type": "string"}}
        },
        "path": "/jobs/{jobId}/result",
    },
    "getMe": {"body": None, "method": "GET", "parameters": {}, "path": "/me"},
    "listAssets": {
        "body": None,
        "method": "GET",
        "parameters": {
            "brand": {
                "in": "query",
                "required": False,
                "schema": {"maxLength": 1000, "minLength": 1, "pattern": "\\S", "type": "string"},
            },
            "created_after": {"in": "query", "required": False, "schema": {"format": "date-time", "type": "string"}},
            "created_before": {"in": "query", "required": False, "schema": {"format": "date-time", "type": "string"}},
            "cta_present": {"in": "query", "required": False, "schema": {"type": "boolean"}},
            "cursor": {
                "in": "query",
                "required": False,
                "schema": {"maxLength": 2000, "minLength": 1, "type": "string"},
            },
            "keyword": {
                "in": "query",
                "required": False,
                "schema": {"maxLength": 1000, "minLength": 1, "pattern": "\\S", "type": "string"},
            },
            "limit": {
                "in": "query",
                "required": False,
                "schema": {"default": 20, "maximum": 100, "minimum": 1, "type": "integer"},
            },
            "max_duration_seconds": {"in": "query", "required": False, "schema": {"minimum": 0, "type": "number"}},
            "min_duration_seconds": {"in": "query", "required": False, "schema": {"minimum": 0, "type": "number"}},
            "product": {
                "in": "query",
                "required": False,
                "schema": {"maxLength": 1000, "minLength": 1, "pattern": "\\S", "type": "string"},
            },
            "q": {
                "in": "query",
                "required": False,
                "schema": {"maxLength": 2000, "minLength": 1, "pattern": "\\S", "type": "string"},
            },
            "search_mode": {"in": "query", "required": False, "schema": {"enum": ["auto", "text"], "type": "string"}},
            "segment_type": {
                "in": "query",
                "required": False,
                "schema": {"maxLength": 100, "minLength": 1, "pattern": "\\S", "type": "string"},
            },
            "sort": {
                "in": "query",
                "required": False,
                "schema": {
                    "enum": ["relevance", "created_at_desc", "created_at_asc", "duration_desc"],
                    "type": "string",
                },
            },
            "source_type": {
                "in": "query",
                "required": False,
                "schema": {"maxLength": 100, "minLength": 1, "pattern": "\\S", "type": "string"},
            },
            "tag": {
                "in": "query",
                "required": False,
                "schema": {"maxLength": 1000, "minLength": 1, "pattern": "\\S", "type": "string"},
            },
        },
        "path": "/assets",
    },
    "listAvatars": {
        "body": None,
        "method": "GET",
        "parameters": {
            "cursor": {
                "in": "query",
                "required": False,
                "schema": {"maxLength": 2000, "minLength": 1, "type": "string"},
            },
            "limit": {
                "in": "query",
                "required": False,
                "schema": {"default": 20, "maximum": 100, "minimum": 1, "type": "integer"},
            },
        },
        "path": "/avatars",
    },
    "listBrands": {
        "body": None,
        "method": "GET",
        "parameters": {
            "cursor": {
                "in": "query",
                "required": False,
                "schema": {"maxLength": 2000, "minLength": 1, "type": "string"},
            },
            "domain": {
                "in": "query",
                "required": False,
                "schema": {"maxLength": 1000, "minLength": 1, "pattern": "\\S", "type": "string"},
            },
            "limit": {
                "in": "query",
                "required": False,
                "schema": {"default": 20, "maximum": 100, "minimum": 1, "type": "integer"},
            },
        },
        "path": "/brand",
    },
    "listJobs": {
        "body": None,
        "method": "GET",
        "parameters": {
            "cursor": {
                "in": "query",
                "required": False,
                "schema": {"maxLength": 2000, "minLength": 1, "type": "string"},
            },
            "limit": {
                "in": "query",
                "required": False,
                "schema": {"default": 20, "maximum": 100, "minimum": 1, "type": "integer"},
            },
            "status": {
                "in": "query",
                "required": False,
                "schema": {
                    "description": "Common job states. `queued`, `running`, `processing` are non-terminal; `completed`, `failed`, `canceled`, `expired` are terminal. More may appear.",
                    "enum": ["queued", "running", "processing", "completed", "failed", "canceled", "expired"],
                    "type": "string",
                },
            },
            "type": {
                "in": "query",
                "required": False,
                "schema": {
                    "description": "Kind of work a job does. More may appear.",
                    "enum": [
                        "image_generation",
                        "video_generation",
                        "ads_video",
                        "face_swap",
                        "reference_analysis",
                        "asset_ingest",
                    ],
                    "type": "string",
                },
            },
        },
        "path": "/jobs",
    },
}
