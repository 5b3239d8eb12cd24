"""What guardians are told, as plain data: a ward's week (attendance days, results, tutor use) and the one
encouraging observation the digest leads with. The shell (ai_school/guardians) reads the records and words
these in the guardian's language."""
