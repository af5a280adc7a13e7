"""The area tree 区域 (city → county → township → village → grid → micro-grid), its rules,
import and export, boundaries, and the jurisdiction: `grids.jurisdiction.scope` is the one
door every read of anything that belongs to an area passes through."""
