"""The practitioner's commands: the interview, group interviews, the glossary, what-if."""
