"""Models as files and engines: the GGUF checks and the embedded default, llama.cpp and the
scripted engine, the answer grammars and the sampler, token counting.
"""
