"""Reading and writing files: documents, case inputs, atomic outputs, case files."""
