"""Stage 3, embed: the embedders (a registry of them, the default shipped as ONNX in a PyPI
package) that turn passages, sentence windows and questions into vectors."""
