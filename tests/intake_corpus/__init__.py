"""Plot files as field teams send them, built in code (no binary fixtures are committed).

``formats`` writes one small file per supported format; ``messy_workbook`` writes the
mixed workbook of the intake acceptance test together with the truth for every row.
"""
