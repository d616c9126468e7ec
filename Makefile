.PHONY: dev dev-check test staff lint build fmt bench bench-garages bench-ocr bench-functions fuzz docs-assets openapi browser-check

## Run the whole API locally on http://127.0.0.1:9000 (Ctrl-C stops everything)
dev:
	bash infra/dev.sh

## Against a running `make dev`: odd bodies get the API's JSON answers, never a 500
dev-check:
	bash infra/check-local-bodies.sh

## Contract fuzzing (Schemathesis) of a running `make dev`, from its /api/schema/; bounded
fuzz:
	bash infra/fuzz.sh $(BASE_URL)

## The docs page's files (swagger-ui-dist, pinned) into functions/docs/assets/
docs-assets:
	bash infra/docs_assets.sh

## Regenerate docs/openapi.json from the code (commit the result)
openapi:
	bash infra/docs_assets.sh
	UPDATE_OPENAPI=1 cargo test -p infra --test openapi --locked

## Headless chromium opens /api/docs/ of a running `make dev` and finds every operation
browser-check:
	bash infra/browser_check.sh $(or $(BASE_URL),http://127.0.0.1:9000)

## Run every test against an emulator of its own (template lint included)
test:
	bash infra/test.sh

## Create or promote a staff user in the local stack: make staff EMAIL=... PASSWORD=...
staff:
	EMAIL='$(EMAIL)' PASSWORD='$(PASSWORD)' bash infra/staff.sh

## Reminders run cost at 10,000 and 100,000 stored reminders (emulator)
bench:
	bash infra/bench.sh

## Garage directory reads (list, top rated, nearby) at 1,000 and 100,000 garages (emulator)
bench-garages:
	bash infra/bench_garages.sh

## Documents: analyze/ to done, one-page PDF and image (emulator, Tesseract, Textract fake)
bench-ocr:
	bash infra/bench_ocr.sh

## Release size (arm64) and cold start of every function: README's table
bench-functions:
	bash infra/bench_functions.sh

## Formatting and lints, as CI runs them
lint:
	bash infra/docs_assets.sh
	cargo fmt --all -- --check
	cargo clippy --workspace --all-targets --locked -- -D warnings

## Release build of every function for Lambda (arm64)
build:
	bash infra/docs_assets.sh
	bash -c '. infra/tools.sh && ensure_tools && cargo lambda build --release --arm64 --workspace'

fmt:
	cargo fmt --all
