package evidence

import "html/template"

// indexPage lists the clusters of a several-context bundle, linking each
// one's report; like the reports it loads nothing from anywhere.
var indexPage = template.Must(template.New("index").Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>verify evidence: {{len .Items}} clusters</title>
<style>
:root { color-scheme: light; }
body { margin: 0 auto; max-width: 60rem; padding: 1.5rem; color: #1f2328; background: #fff;
  font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "DejaVu Sans", sans-serif; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: .3rem .5rem; border-bottom: 1px solid #d1d9e0; }
th { background: #f6f8fa; }
td.n { text-align: right; }
.muted { color: #59636e; }
</style>
</head>
<body>
<h1>Verify evidence</h1>
<p class="muted">kubectl-aksbaseline {{.Tool.Version}} ({{.Tool.Commit}}). Each folder is one cluster's bundle; SHA256SUMS here covers them all: <code>sha256sum -c SHA256SUMS</code>.</p>
<table>
<thead><tr><th>Context</th><th>Cluster ID</th><th>Verdict</th><th class="n">pass</th><th class="n">fail</th><th class="n">warn</th><th class="n">waived</th><th class="n">error</th></tr></thead>
<tbody>
{{- range .Items}}
<tr class="cluster"><td><a href="{{.Dir}}/report.html">{{.Context}}</a></td><td><code>{{.ClusterID}}</code></td><td>{{.Verdict}}</td>
<td class="n">{{.Summary.Pass}}</td><td class="n">{{.Summary.Fail}}</td><td class="n">{{.Summary.Warn}}</td><td class="n">{{.Summary.Waived}}</td><td class="n">{{.Summary.Error}}</td></tr>
{{- end}}
</tbody>
</table>
</body>
</html>
`))
