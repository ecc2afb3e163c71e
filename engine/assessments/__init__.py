"""Several assessments of one site compared (compare.py); the facts of perspectives and changes are
computed in engine/model/perspectives.py and engine/model/changes.py."""
