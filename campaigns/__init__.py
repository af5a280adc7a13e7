"""Mass tasking 专项行动 (campaigns and their tasks) and urgent instructions 预警指令."""
