"""IPO Assistant: a grounded, multilingual assistant for the International Patient Office.

Public surface: ``build_assistant`` (assistant.wiring), ``Assistant`` (assistant.answering), the types in
assistant.types and the settings in assistant.settings. Importing this package does nothing else.
"""
