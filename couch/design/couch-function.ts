import { readFileSync } from 'node:fs';
import ts from 'typescript';

/**
 * The CouchDB source of a self-contained function declared in a couch/ TypeScript file.
 *
 * Read from the source file rather than `fn.toString()`, because the runtime that loaded
 * the module (tsx, esbuild) may have rewritten it with helpers CouchDB lacks. CouchDB's
 * JavaScript engine varies by release (SpiderMonkey 1.8.5 up to QuickJS), so the function
 * is transpiled down to ES5.
 */
export function couchFunctionSource(file: string, functionName: string): string {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
  const declaration = source.statements.find(
    (statement): statement is ts.FunctionDeclaration => ts.isFunctionDeclaration(statement) && statement.name?.text === functionName,
  );
  if (!declaration?.body) throw new Error(`${file} declares no function ${functionName}`);
  const body = declaration.body.getText(source);
  const parameters = declaration.parameters.map((parameter) => parameter.getText(source)).join(', ');
  // Anonymous: CouchDB 3.4 compiles a design function when it is saved and refuses a named declaration.
  const es5 = ts.transpileModule(`(function (${parameters}) ${body})`, {
    compilerOptions: { target: ts.ScriptTarget.ES5, module: ts.ModuleKind.None, removeComments: true },
  }).outputText;
  return es5.trim().replace(/^\(/, '').replace(/\);?$/, '');
}
