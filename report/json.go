package report

import (
	"io"

	"github.com/scangate/scangate/model"
)

// JSON writes the JSON report, the model's own encoding (model.WriteJSON),
// so that it is one of the writers like the others.
func JSON(w io.Writer, s *model.Report) error { return model.WriteJSON(w, s) }
